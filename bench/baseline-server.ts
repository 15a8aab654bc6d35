/**
 * The baseline: the least a Node server can do for the benchmark's requests —
 * plain Fastify and a pg pool of the app's size, sending the very SQL the app
 * sends, checking the same access tokens and answering the same JSON. Run as a
 * child process by bench/run.ts. It shares only `searchKeyOf` with the app (the
 * normalisation of `q`), so that both send the same parameter.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { Pool } from 'pg';
import { searchKeyOf } from '../src/modules/beneficiaries/case-rules';

interface CommuneRow {
  inseeCode: string;
  name: string;
  eptCode: string;
  eptName: string;
  active: boolean;
}

// CommunesRepository.list: the same text and parameters (no filter, no cursor here).
const LIST_COMMUNES_SQL = `SELECT insee_code AS "inseeCode", name, ept_code AS "eptCode", ept_name AS "eptName", active
         FROM communes
        WHERE ($1::text IS NULL OR ept_code = $1)
          AND ($2::boolean IS NULL OR active = $2)
          AND ($3::text IS NULL OR insee_code > $3)
        ORDER BY insee_code
        LIMIT $4`;

const accessSecret = process.env.JWT_ACCESS_SECRET ?? '';

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

interface Claims {
  role: string;
  agencyId?: string | null;
}

/** What the app's JwtStrategy checks: HS256 signature, issuer, audience, expiry, a user token with a role. The claims, or null. */
function bearerClaims(authorization: string | undefined): Claims | null {
  const match = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(authorization ?? '');
  if (!match) return null;
  const [, header, payload, signature] = match;
  const expected = createHmac('sha256', accessSecret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let claims: Record<string, unknown>;
  try {
    claims = { ...decode(payload), alg: decode(header).alg };
  } catch {
    return null;
  }
  const valid =
    claims.alg === 'HS256' &&
    claims.iss === 'parcours' &&
    claims.aud === 'parcours-api' &&
    typeof claims.exp === 'number' &&
    claims.exp * 1000 > Date.now() &&
    claims.typ === 'user' &&
    typeof claims.role === 'string';
  return valid ? (claims as unknown as Claims) : null;
}

const validBearer = (authorization: string | undefined) => bearerClaims(authorization) !== null;

const STAFF = ['admin', 'agency_manager', 'advisor'];
const CASE_STATUSES = ['to_orient', 'oriented', 'in_pathway', 'exited'];
const ORIENTATION_PATHS = ['professional', 'socio_professional', 'social'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** CaseAccessService.scopeCondition for a user token. */
function scopeCondition(claims: Claims, params: unknown[]): string {
  if (claims.role === 'admin') return 'b.anonymised_at IS NULL';
  if ((claims.role === 'agency_manager' || claims.role === 'advisor') && claims.agencyId) {
    params.push(claims.agencyId);
    return `b.agency_id = $${params.length} AND b.anonymised_at IS NULL`;
  }
  return 'FALSE';
}

/** The [sortKey, id] of a cursor, or null if it is not one the list made. */
function decodeCaseCursor(cursor: string): [string, string] | null {
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === 2 && typeof values[0] === 'string' && typeof values[1] === 'string' && UUID.test(values[1])) {
      return [values[0], values[1]];
    }
  } catch {
    // not JSON
  }
  return null;
}

type BeneficiaryRow = Record<string, unknown> & { id: string; sortKey: string };

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE ?? 10),
  connectionTimeoutMillis: 5000,
  statement_timeout: 15000,
  idle_in_transaction_session_timeout: 60000,
  application_name: 'parcours-baseline',
  // The app's sessions run in the département's time zone (its `current_date`): the same here.
  options: `-c TimeZone=${process.env.TIME_ZONE ?? 'Europe/Paris'}`,
});
// An idle connection closed by the server (shutdown) must not crash the process.
pool.on('error', (error) => console.error(`pg pool: ${error.message}`));
const server = Fastify({ logger: false });

server.get('/health/ready', async () => {
  await pool.query('SELECT 1');
  const up = { database: { status: 'up' } };
  return { status: 'ok', info: up, error: {}, details: up };
});

server.get<{ Querystring: { limit?: string } }>('/api/v1/communes', async (request, reply) => {
  if (!validBearer(request.headers.authorization)) return reply.code(401).send({ detail: 'A valid access token is required.' });
  const limit = Number(request.query.limit ?? 25);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return reply.code(400).send({ detail: 'limit: 1 to 100' });
  const { rows } = await pool.query<CommuneRow>(LIST_COMMUNES_SQL, [null, null, null, limit + 1]);
  const hasNextPage = rows.length > limit;
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  const nextCursor = hasNextPage && last ? Buffer.from(JSON.stringify([last.inseeCode])).toString('base64url') : null;
  return { data, page: { nextCursor, hasNextPage } };
});

const badRequest = (field: string) => ({ status: 400, title: 'Bad Request', code: 'VALIDATION_FAILED', errors: [{ field }] });

/**
 * BeneficiariesRepository.list and BeneficiariesService.list: the same filters added in the
 * same order, so the same SQL text and parameters; the page without `sortKey`, the cursor
 * being the base64url of [sortKey, id] of the last row.
 */
server.get<{ Querystring: Record<string, string | undefined> }>('/api/v1/beneficiaries', async (request, reply) => {
  const claims = bearerClaims(request.headers.authorization);
  if (!claims) return reply.code(401).send({ detail: 'A valid access token is required.' });
  if (!STAFF.includes(claims.role)) return reply.code(403).send({ detail: 'Not allowed.' });
  const query = request.query;
  const limit = Number(query.limit ?? 25);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return reply.code(400).send(badRequest('limit'));
  const q = query.q?.trim();
  if (q !== undefined && (q.length < 2 || q.length > 100)) return reply.code(400).send(badRequest('q'));
  if (query.status !== undefined && !CASE_STATUSES.includes(query.status)) return reply.code(400).send(badRequest('status'));
  if (query.orientationPath !== undefined && !ORIENTATION_PATHS.includes(query.orientationPath)) return reply.code(400).send(badRequest('orientationPath'));
  for (const field of ['agencyId', 'advisorId'] as const) if (query[field] !== undefined && !UUID.test(query[field])) return reply.code(400).send(badRequest(field));
  if (query.communeCode !== undefined && !/^93\d{3}$/.test(query.communeCode)) return reply.code(400).send(badRequest('communeCode'));
  const overdue = query.overdue === 'true' ? true : query.overdue === 'false' ? false : undefined;
  if (query.overdue !== undefined && overdue === undefined) return reply.code(400).send(badRequest('overdue'));
  const cursor = query.cursor === undefined ? undefined : decodeCaseCursor(query.cursor);
  if (cursor === null) return reply.code(400).send(badRequest('cursor'));

  const params: unknown[] = [];
  const where = [scopeCondition(claims, params)];
  const add = (condition: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  if (query.agencyId) add((p) => `b.agency_id = ${p}`, query.agencyId);
  if (query.advisorId) add((p) => `b.advisor_id = ${p}`, query.advisorId);
  if (query.status) add((p) => `b.status = ${p}`, query.status);
  if (query.orientationPath) add((p) => `b.orientation_path = ${p}`, query.orientationPath);
  if (query.communeCode) add((p) => `b.commune_code = ${p}`, query.communeCode);
  if (overdue === true) where.push('b.next_due_on < current_date');
  if (overdue === false) where.push('(b.next_due_on IS NULL OR b.next_due_on >= current_date)');
  if (q) {
    if (/^\d{1,7}$/.test(q)) {
      add((p) => `b.caf_number = lpad(${p}, 7, '0')::char(7)`, q);
    } else {
      const key = searchKeyOf(q);
      if (key) add((p) => `b.search_text LIKE ${p}`, `%${key}%`);
      else where.push('FALSE');
    }
  }
  if (cursor) {
    params.push(cursor[0], cursor[1]);
    where.push(`(b.sort_key, b.id) > ($${params.length - 1}, $${params.length}::uuid)`);
  }
  params.push(limit + 1);
  const { rows } = await pool.query<BeneficiaryRow>(
    `SELECT b.id, b.caf_number AS "cafNumber", b.first_name AS "firstName", b.last_name AS "lastName",
              to_char(b.birth_date, 'YYYY-MM-DD') AS "birthDate", b.commune_code AS "communeCode", b.status,
              b.agency_id AS "agencyId", b.advisor_id AS "advisorId", b.orientation_path AS "orientationPath",
              to_char(b.next_due_on, 'YYYY-MM-DD') AS "nextDueOn", COALESCE(b.next_due_on < current_date, false) AS overdue,
              b.sort_key AS "sortKey"
         FROM beneficiaries b
        WHERE ${where.join(' AND ')}
        ORDER BY b.sort_key, b.id
        LIMIT $${params.length}`,
    params,
  );
  const hasNextPage = rows.length > limit;
  const pageRows = hasNextPage ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  const nextCursor = hasNextPage && last ? Buffer.from(JSON.stringify([last.sortKey, last.id])).toString('base64url') : null;
  return { data: pageRows.map(({ sortKey: _sortKey, ...summary }) => summary), page: { nextCursor, hasNextPage } };
});

/**
 * ReferralsService.act for `accept`, reduced to its places: the referral locked, the
 * caller checked as its programme's provider, the same conditional UPDATE of the places
 * (409 when full), the referral marked accepted, in one transaction.
 */
server.post<{ Params: { id: string } }>('/api/v1/referrals/:id/accept', async (request, reply) => {
  const claims = bearerClaims(request.headers.authorization) as (Claims & { sub?: string; providerId?: string }) | null;
  if (!claims) return reply.code(401).send({ detail: 'A valid access token is required.' });
  if (claims.role !== 'provider') return reply.code(403).send({ detail: 'Not allowed.' });
  if (!UUID.test(request.params.id)) return reply.code(400).send(badRequest('id'));
  const db = await pool.connect();
  try {
    await db.query('BEGIN');
    const { rows } = await db.query<{ status: string; programme_id: string; provider_id: string }>(
      `SELECT r.status, r.programme_id, p.provider_id FROM referrals r JOIN programmes p ON p.id = r.programme_id WHERE r.id = $1 FOR UPDATE OF r`,
      [request.params.id],
    );
    const referral = rows[0];
    if (!referral || referral.provider_id !== claims.providerId) {
      await db.query('ROLLBACK');
      return reply.code(404).send({ status: 404, code: 'REFERRAL_NOT_FOUND' });
    }
    if (referral.status !== 'submitted') {
      await db.query('ROLLBACK');
      return reply.code(422).send({ status: 422, code: 'INVALID_REFERRAL_TRANSITION' });
    }
    const held = await db.query(`UPDATE programmes SET places_held = places_held + 1 WHERE id = $1 AND places_held < capacity RETURNING places_held`, [
      referral.programme_id,
    ]);
    if (held.rowCount === 0) {
      await db.query('ROLLBACK');
      return reply.code(409).send({ status: 409, code: 'PLACE_CAPACITY_REACHED' });
    }
    const { rows: updated } = await db.query(
      `UPDATE referrals SET status = 'accepted', accepted_at = now(), accepted_by = $2, updated_at = now() WHERE id = $1
       RETURNING id, beneficiary_id AS "beneficiaryId", programme_id AS "programmeId", status`,
      [request.params.id, claims.sub],
    );
    await db.query('COMMIT');
    return updated[0];
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    db.release();
  }
});

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await server.close();
  await pool.end();
  process.exit(0);
}

process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());

server.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' }).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
