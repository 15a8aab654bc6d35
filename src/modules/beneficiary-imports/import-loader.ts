import { pipeline } from 'node:stream/promises';
import { setImmediate } from 'node:timers/promises';
import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { FieldEncryption } from '../../common/crypto/field-encryption';
import { searchKeyOf, sortKeyOf } from '../beneficiaries/case-rules';
import { ImportError } from './entities/beneficiary-import.entity';
import { ValidRow } from './import-rows';

export interface LoadResult {
  created: number;
  updated: number;
  unchanged: number;
  rejected: ImportError[];
}

const STAGING_COLUMNS = [
  'line', 'caf_number', 'nir_encrypted', 'nir_hash', 'france_travail_id', 'first_name', 'last_name', 'birth_name', 'birth_date', 'sex',
  'commune_code', 'address', 'no_fixed_address', 'phone', 'email', 'household_role', 'rights_state', 'subject_to_rights_and_duties',
  'rights_opened_on', 'sort_key', 'search_text', 'agency_id', 'reject_field', 'reject_message',
] as const;

/** A commune of the département as the import sees it: whether people may live there, and the agency serving it. */
type Territory = Map<string, { active: boolean; agencyId: string | null }>;

const UNKNOWN_COMMUNE = { field: 'communeCode', message: 'unknown or inactive commune of the département' };

const COPY_CHUNK_CHARS = 64 * 1024;

/** CSV quoting for COPY: NULL is an unquoted empty field, every value is quoted. */
const csvField = (v: string | number | boolean | null | undefined) => (v === null || v === undefined ? '' : `"${String(v).replace(/"/g, '""')}"`);

/** One batch of rows as COPY text (pieces of about 64 KB) and the line of its first row. */
interface CopyBatch {
  firstLine: number;
  pieces: string[];
}

export interface LoadOptions {
  importId: string;
  orientationDays: number;
  /** Rows loaded together (IMPORT_BATCH_ROWS). */
  batchRows: number;
}

/**
 * Loads validated rows in one transaction, in batches (IMPORT_BATCH_ROWS): each batch is copied
 * into a staging table, matched against the people already held (by NIR hash, then by CAF
 * number and birth date: the CAF number is the household's, applicant and spouse share it),
 * checked for conflicts, and its new people are inserted (with their timeline line and
 * `beneficiary.created` event) while the process validates the next batch: the two cores work
 * at once. People matched are updated at the end, once every row is matched, and only where
 * they differ. Batching changes no outcome: a new person inserted from an earlier batch cannot
 * be matched by a later row, which would share its NIR or its CAF number and birth date and be
 * refused by the validator, and matches are made against people as they were before the import.
 * The caller's client is inside a transaction: a failure leaves nothing behind.
 */
export async function loadRows(client: PoolClient, rows: AsyncIterable<ValidRow> | Iterable<ValidRow>, crypto: FieldEncryption, options: LoadOptions): Promise<LoadResult> {
  const { importId, orientationDays } = options;
  await client.query(`
    CREATE TEMP TABLE import_rows (
      line integer NOT NULL PRIMARY KEY, caf_number char(7) NOT NULL, nir_encrypted text, nir_hash char(64), france_travail_id text,
      first_name text NOT NULL, last_name text NOT NULL, birth_name text, birth_date date NOT NULL, sex char(1) NOT NULL,
      commune_code char(5) NOT NULL, address text, no_fixed_address boolean, phone text, email text, household_role char(3),
      rights_state char(1), subject_to_rights_and_duties boolean, rights_opened_on date, sort_key text NOT NULL, search_text text NOT NULL,
      agency_id uuid, match_id uuid, reject_field text, reject_message text
    ) ON COMMIT DROP`);

  // The communes and their agencies, read once: each row's agency is set as it is copied.
  const { rows: communes } = await client.query<{ code: string; active: boolean; agency_id: string | null }>(
    `SELECT c.insee_code AS code, c.active, ac.agency_id FROM communes c LEFT JOIN agency_communes ac ON ac.commune_code = c.insee_code`,
  );
  const territory: Territory = new Map(communes.map((c) => [c.code, { active: c.active, agencyId: c.agency_id }]));

  let created = 0;
  // The batch in the database while the next one is prepared; a failure is seen when it is awaited.
  let loading: Promise<number> = Promise.resolve(0);
  try {
    for await (const batch of copyBatches(rows, crypto, territory, options.batchRows)) {
      created += await loading;
      loading = loadBatch(client, batch, options);
      void loading.catch(() => undefined);
    }
    created += await loading;
  } catch (error) {
    await loading.catch(() => undefined);
    throw error;
  }
  await client.query('ANALYZE import_rows');

  // Two rows of the file matching the same person: keep the first (a window, not a self-join: linear).
  await client.query(
    `UPDATE import_rows r SET reject_field = 'cafNumber', reject_message = 'the same person appears earlier in the file'
       FROM (SELECT line, row_number() OVER (PARTITION BY match_id ORDER BY line) AS n
               FROM import_rows WHERE match_id IS NOT NULL AND reject_field IS NULL) d
      WHERE d.line = r.line AND d.n > 1`,
  );

  // A person who moved to another agency's territory is released by their advisor.
  await client.query(
    `UPDATE beneficiary_assignments a SET ended_at = now()
       FROM import_rows r JOIN beneficiaries b ON b.id = r.match_id
      WHERE a.beneficiary_id = b.id AND a.ended_at IS NULL AND r.reject_field IS NULL AND r.agency_id IS DISTINCT FROM b.agency_id`,
  );
  const updated = await client.query<{ count: string }>(
    `WITH changed AS (
       UPDATE beneficiaries b SET
         caf_number = r.caf_number,
         nir_encrypted = CASE WHEN r.nir_hash IS NOT NULL AND r.nir_hash IS DISTINCT FROM b.nir_hash THEN r.nir_encrypted ELSE b.nir_encrypted END,
         nir_hash = COALESCE(r.nir_hash, b.nir_hash),
         france_travail_id = COALESCE(r.france_travail_id, b.france_travail_id),
         first_name = r.first_name, last_name = r.last_name, birth_name = COALESCE(r.birth_name, b.birth_name),
         birth_date = r.birth_date, sex = r.sex, commune_code = r.commune_code,
         address = COALESCE(r.address, b.address), no_fixed_address = COALESCE(r.no_fixed_address, b.no_fixed_address),
         phone = COALESCE(r.phone, b.phone), email = COALESCE(r.email, b.email),
         household_role = COALESCE(r.household_role, b.household_role), rights_state = COALESCE(r.rights_state, b.rights_state),
         subject_to_rights_and_duties = COALESCE(r.subject_to_rights_and_duties, b.subject_to_rights_and_duties),
         rights_opened_on = COALESCE(r.rights_opened_on, b.rights_opened_on),
         agency_id = r.agency_id,
         advisor_id = CASE WHEN r.agency_id IS DISTINCT FROM b.agency_id THEN NULL ELSE b.advisor_id END,
         sort_key = r.sort_key,
         search_text = CASE WHEN r.birth_name IS NULL AND b.birth_name IS NOT NULL THEN b.search_text ELSE r.search_text END,
         orientation_due_on = CASE WHEN b.oriented_on IS NULL AND b.exited_on IS NULL THEN COALESCE(r.rights_opened_on, b.rights_opened_on) + $2::int END,
         next_due_on = LEAST(CASE WHEN b.oriented_on IS NULL AND b.exited_on IS NULL THEN COALESCE(r.rights_opened_on, b.rights_opened_on) + $2::int END, b.contract_due_on, b.review_due_on),
         version = b.version + 1,
         updated_at = now()
       FROM import_rows r
      WHERE b.id = r.match_id AND r.reject_field IS NULL
        AND (b.caf_number, b.first_name, b.last_name, b.birth_date, b.sex, b.commune_code,
             b.birth_name, b.address, b.no_fixed_address, b.phone, b.email, b.household_role, b.rights_state,
             b.subject_to_rights_and_duties, b.rights_opened_on, b.france_travail_id, b.nir_hash)
            IS DISTINCT FROM
            (r.caf_number, r.first_name, r.last_name, r.birth_date, r.sex, r.commune_code,
             COALESCE(r.birth_name, b.birth_name), COALESCE(r.address, b.address), COALESCE(r.no_fixed_address, b.no_fixed_address),
             COALESCE(r.phone, b.phone), COALESCE(r.email, b.email), COALESCE(r.household_role, b.household_role),
             COALESCE(r.rights_state, b.rights_state), COALESCE(r.subject_to_rights_and_duties, b.subject_to_rights_and_duties),
             COALESCE(r.rights_opened_on, b.rights_opened_on), COALESCE(r.france_travail_id, b.france_travail_id), COALESCE(r.nir_hash, b.nir_hash))
      RETURNING b.id
     ), timeline AS (
       INSERT INTO timeline_events (beneficiary_id, type, summary, data)
       SELECT id, 'identity.updated', 'Identity or rights updated from an imported file', jsonb_build_object('importId', $1::text) FROM changed
     )
     SELECT count(*) FROM changed`,
    [importId, orientationDays],
  );
  const matched = await client.query<{ count: string }>(`SELECT count(*) FROM import_rows WHERE reject_field IS NULL AND match_id IS NOT NULL`);
  const rejected = await client.query<ImportError>(
    `SELECT line, reject_field AS field, reject_message AS message FROM import_rows WHERE reject_field IS NOT NULL ORDER BY line`,
  );
  return {
    created,
    updated: Number(updated.rows[0].count),
    unchanged: Number(matched.rows[0].count) - Number(updated.rows[0].count),
    rejected: rejected.rows,
  };
}

/** The rows as COPY text, `batchRows` at a time; parsing and validating yield to other work between pieces. */
async function* copyBatches(rows: AsyncIterable<ValidRow> | Iterable<ValidRow>, crypto: FieldEncryption, territory: Territory, batchRows: number): AsyncGenerator<CopyBatch> {
  let batch: CopyBatch | null = null;
  let piece = '';
  let count = 0;
  for await (const { line, input: r } of rows) {
    batch ??= { firstLine: line, pieces: [] };
    const commune = territory.get(r.communeCode);
    const refused = commune?.active ? null : UNKNOWN_COMMUNE;
    const values = [
      line, r.cafNumber, r.nir ? crypto.encrypt(r.nir) : null, r.nir ? crypto.hash(r.nir) : null, r.franceTravailId, r.firstName, r.lastName,
      r.birthName, r.birthDate, r.sex, r.communeCode, r.address, r.noFixedAddress, r.phone, r.email?.toLowerCase(), r.householdRole,
      r.rightsState, r.subjectToRightsAndDuties, r.rightsOpenedOn, sortKeyOf(r.lastName, r.firstName), searchKeyOf(r.lastName, r.firstName, r.birthName),
      commune?.agencyId, refused?.field, refused?.message,
    ];
    piece += `${values.map(csvField).join(',')}\n`;
    count += 1;
    if (piece.length >= COPY_CHUNK_CHARS || count === batchRows) {
      batch.pieces.push(piece);
      piece = '';
      if (count === batchRows) {
        yield batch;
        batch = null;
        count = 0;
      }
      // Parsing and validating never wait on I/O: let the process serve its requests between pieces.
      await setImmediate();
    }
  }
  if (batch) {
    if (piece) batch.pieces.push(piece);
    yield batch;
  }
}

/**
 * One batch (the rows from `firstLine` on): copied, matched, checked, and its new people
 * inserted. Returns how many were created.
 */
async function loadBatch(client: PoolClient, batch: CopyBatch, { importId, orientationDays }: LoadOptions): Promise<number> {
  await pipeline(Readable.from(batch.pieces), client.query(copyFrom(`COPY import_rows (${STAGING_COLUMNS.join(', ')}) FROM STDIN (FORMAT csv)`)));
  const from = [batch.firstLine];
  const reject = (condition: string, field: string, message: string) =>
    client.query(`UPDATE import_rows r SET reject_field = '${field}', reject_message = '${message}' WHERE r.line >= $1 AND r.reject_field IS NULL AND ${condition}`, from);

  await client.query(
    `UPDATE import_rows r SET match_id = b.id FROM beneficiaries b
      WHERE r.line >= $1 AND r.reject_field IS NULL AND r.nir_hash IS NOT NULL AND b.nir_hash = r.nir_hash AND b.anonymised_at IS NULL`,
    from,
  );
  await client.query(
    `UPDATE import_rows r SET match_id = b.id FROM beneficiaries b
      WHERE r.line >= $1 AND r.reject_field IS NULL AND r.match_id IS NULL AND b.caf_number = r.caf_number AND b.birth_date = r.birth_date AND b.anonymised_at IS NULL`,
    from,
  );
  await reject(
    `r.match_id IS NOT NULL AND EXISTS (SELECT 1 FROM beneficiaries b WHERE b.caf_number = r.caf_number AND b.birth_date = r.birth_date AND b.id <> r.match_id AND b.anonymised_at IS NULL)`,
    'cafNumber',
    'this CAF number and birth date belong to another person',
  );
  await reject(`r.nir_hash IS NOT NULL AND EXISTS (SELECT 1 FROM beneficiaries b WHERE b.nir_hash = r.nir_hash AND b.id IS DISTINCT FROM r.match_id)`, 'nir', 'this NIR belongs to another person');

  const created = await client.query<{ count: string }>(
    `WITH inserted AS (
       INSERT INTO beneficiaries (caf_number, nir_encrypted, nir_hash, france_travail_id, first_name, last_name, birth_name, birth_date, sex,
                                  commune_code, address, no_fixed_address, phone, email, household_role, rights_state,
                                  subject_to_rights_and_duties, rights_opened_on, status, agency_id, sort_key, search_text, orientation_due_on, next_due_on)
       SELECT caf_number, nir_encrypted, nir_hash, france_travail_id, first_name, last_name, birth_name, birth_date, sex,
              commune_code, address, COALESCE(no_fixed_address, false), phone, email, household_role, rights_state,
              COALESCE(subject_to_rights_and_duties, true), rights_opened_on, 'to_orient', agency_id, sort_key,
              search_text, rights_opened_on + $3::int, rights_opened_on + $3::int
         FROM import_rows WHERE line >= $1 AND reject_field IS NULL AND match_id IS NULL
       RETURNING id, agency_id
     ), timeline AS (
       INSERT INTO timeline_events (beneficiary_id, type, summary, data)
       SELECT id, 'beneficiary.created', 'Case opened from an imported file', jsonb_build_object('importId', $2::text, 'agencyId', agency_id) FROM inserted
     ), outbox AS (
       INSERT INTO outbox_events (type, resource_type, resource_id, data)
       SELECT 'beneficiary.created', 'beneficiary', id, jsonb_build_object('agencyId', agency_id, 'status', 'to_orient') FROM inserted
     )
     SELECT count(*) FROM inserted`,
    [batch.firstLine, importId, orientationDays],
  );
  return Number(created.rows[0].count);
}
