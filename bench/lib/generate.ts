/**
 * The benchmark's data set, written straight into the migrated bench database with
 * set-based SQL (INSERT … SELECT over generate_series): agencies covering the active
 * communes, advisors, one agency manager to log in with, and beneficiaries with
 * coherent case states (orientation, contract, exit, deadlines, advisor of their
 * agency), their current orientation, assignment and contract rows. The data are
 * deterministic: the same sizes give the same people, names and dates relative to
 * the day of the run.
 *
 * Then providers, their programmes (the département's 12,600 places) and referrals
 * whose states match the places held. Later data are further steps: append a `GenerationStep`
 * to `GENERATION_STEPS`; each runs in the same transaction, sees what the earlier
 * steps recorded in the context, and is timed on its own.
 */
import { performance } from 'node:perf_hooks';
import * as argon2 from 'argon2';
import { Client } from 'pg';
import { EnvironmentVariables } from '../../src/config/env.validation';
import { searchKeyOf, sortKeyOf } from '../../src/modules/beneficiaries/case-rules';
import { deriveParticipantState, isLastingEmployment } from '../../src/modules/construction-pathway/pathway-rules';
import { ContractType, STAGE_ORDER, StepStatus, StepType } from '../../src/modules/construction-pathway/pathway.enums';
import { ProgrammeType } from '../../src/modules/programmes/programme.enums';
import { asciiSlug, COMMUNE_WEIGHTS, FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, seededRandom, STREETS } from './names';

export interface GenerateOptions {
  agencies: number;
  advisors: number;
  beneficiaries: number;
  /** The password of every generated account (hashed once, argon2id with the app's parameters). */
  password: string;
  /** The agency manager created for the largest agency (by population served), to log in with. */
  managerEmail: string;
  providers: number;
  programmes: number;
  referrals: number;
  /** Staff of the first provider, to log in with. */
  providerEmail: string;
  /** Construction pathway participants. */
  participants: number;
}

export const DEFAULT_SIZES = { agencies: 22, advisors: 340, beneficiaries: 100_000, providers: 120, programmes: 600, referrals: 50_000, participants: 500 } as const;

/** Generated CAF numbers are 1000000 + n; files built for import tests use numbers from here up. */
export const GENERATED_CAF_BASE = 1_000_000;
export const MAX_BENEFICIARIES = 1_000_000;

interface Commune {
  code: string;
  name: string;
  eptCode: string;
  weight: number;
}

export interface GeneratedAgency {
  id: string;
  code: string;
  name: string;
  communes: Commune[];
  weight: number;
  advisors: number;
}

/** What the steps share. Steps may add what later steps need. */
export interface GenerationContext {
  client: Client;
  options: GenerateOptions;
  passwordHash: string;
  communes: Commune[];
  agencies: GeneratedAgency[];
  managerAgency?: GeneratedAgency;
  /** The first provider, whose staff account the generator creates. */
  providerId?: string;
}

export interface GenerationStep {
  name: string;
  /**
   * The tables it fills. Their indexes (other than constraints') are dropped before the
   * first step and rebuilt after the last, and their foreign keys are checked set-based at
   * the end instead of row by row (both are several times faster for 100,000 rows).
   */
  tables: string[];
  /** Returns the number of rows it wrote. */
  run(context: GenerationContext): Promise<number>;
}

export interface GenerationResult {
  totalMs: number;
  steps: { name: string; rows: number; ms: number }[];
  counts: {
    communes: number;
    agencies: number;
    advisors: number;
    beneficiaries: number;
    byStatus: Record<string, number>;
    programmes: number;
    places: number;
    placesHeld: number;
    referrals: number;
    participants: number;
    overdue: number;
    unassigned: number;
  };
  manager: { email: string; agencyId: string; agencyName: string; beneficiaries: number; oriented: number };
  provider: { email: string; providerId: string };
}

const DEADLINES = (() => {
  const env = new EnvironmentVariables();
  return { orientationDays: env.DEADLINE_ORIENTATION_DAYS, contractDays: env.DEADLINE_CONTRACT_DAYS, socialReviewMonths: env.SOCIAL_REVIEW_MONTHS };
})();

/**
 * Seats for groups in proportion to their weights (D'Hondt), each between its min and max.
 * Used for agencies per territory and advisors per agency.
 */
export function apportion(weights: number[], seats: number, min: number[], max: number[]): number[] {
  const given = min.slice();
  let total = given.reduce((a, b) => a + b, 0);
  if (total > seats || max.reduce((a, b) => a + b, 0) < seats) throw new Error(`cannot share ${seats} seats within these bounds`);
  while (total < seats) {
    let best = -1;
    for (let g = 0; g < weights.length; g++) {
      if (given[g] >= max[g]) continue;
      if (best < 0 || weights[g] / (given[g] + 1) > weights[best] / (given[best] + 1)) best = g;
    }
    given[best] += 1;
    total += 1;
  }
  return given;
}

/**
 * Agencies serve whole communes of one territory (EPT); the number of agencies of a
 * territory follows its population, and its communes are shared out so that the
 * agencies' populations are as even as possible (largest first, to the lightest agency).
 */
function planAgencies(communes: Commune[], count: number): Omit<GeneratedAgency, 'id' | 'advisors'>[] {
  const territories = [...new Set(communes.map((c) => c.eptCode))].sort();
  const members = territories.map((t) => communes.filter((c) => c.eptCode === t).sort((a, b) => b.weight - a.weight || a.code.localeCompare(b.code)));
  const seats = apportion(
    members.map((m) => m.reduce((s, c) => s + c.weight, 0)),
    count,
    members.map(() => 1),
    members.map((m) => m.length),
  );
  return members.flatMap((m, t) => {
    const bins: Commune[][] = Array.from({ length: seats[t] }, () => []);
    const load = (bin: Commune[]) => bin.reduce((s, c) => s + c.weight, 0);
    for (const commune of m) bins.reduce((lightest, bin) => (load(bin) < load(lightest) ? bin : lightest)).push(commune);
    return bins.map((bin) => ({ code: `ALI-${bin[0].code}`, name: `ALI ${bin[0].name}`, communes: bin, weight: load(bin) }));
  });
}

const agenciesStep: GenerationStep = {
  name: 'agencies and their communes',
  tables: ['agencies', 'agency_communes'],
  async run(ctx) {
    const plan = planAgencies(ctx.communes, ctx.options.agencies);
    const { rows } = await ctx.client.query<{ id: string; code: string }>(
      `INSERT INTO agencies (code, name, address, email, phone)
       SELECT code, name, '1 place de la Mairie, ' || town, lower(code) || '@bench.parcours.example', '01 48 00 00 00'
         FROM unnest($1::text[], $2::text[], $3::text[]) AS t(code, name, town)
       RETURNING id, code`,
      [plan.map((a) => a.code), plan.map((a) => a.name), plan.map((a) => a.communes[0].name)],
    );
    const ids = new Map(rows.map((r) => [r.code, r.id]));
    ctx.agencies = plan.map((a) => ({ ...a, id: ids.get(a.code)!, advisors: 0 }));
    const links = ctx.agencies.flatMap((a) => a.communes.map((c) => [c.code, a.id]));
    await ctx.client.query(`INSERT INTO agency_communes (commune_code, agency_id) SELECT * FROM unnest($1::text[], $2::uuid[])`, [
      links.map((l) => l[0]),
      links.map((l) => l[1]),
    ]);
    return rows.length + links.length;
  },
};

const staffStep: GenerationStep = {
  name: 'advisors and the agency manager',
  tables: ['users'],
  async run(ctx) {
    const counts = apportion(
      ctx.agencies.map((a) => a.weight),
      ctx.options.advisors,
      ctx.agencies.map(() => Math.min(3, Math.floor(ctx.options.advisors / ctx.agencies.length))),
      ctx.agencies.map(() => ctx.options.advisors),
    );
    ctx.agencies.forEach((a, i) => (a.advisors = counts[i]));
    const random = seededRandom(340);
    const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
    const staff = ctx.agencies.flatMap((a) => Array.from({ length: a.advisors }, () => a.id)).map((agencyId, n) => {
      const firstName = pick(random() < 0.6 ? FEMALE_FIRST_NAMES : MALE_FIRST_NAMES);
      return { agencyId, role: 'advisor', firstName, lastName: pick(LAST_NAMES), email: `advisor-${String(n + 1).padStart(3, '0')}@bench.parcours.example` };
    });
    ctx.managerAgency = ctx.agencies.reduce((a, b) => (b.weight > a.weight ? b : a));
    staff.push({ agencyId: ctx.managerAgency.id, role: 'agency_manager', firstName: 'Nadia', lastName: 'Benali', email: ctx.options.managerEmail.toLowerCase() });
    const { rowCount } = await ctx.client.query(
      `INSERT INTO users (email, password_hash, role, first_name, last_name, agency_id, caseload_capacity)
       SELECT email, $6, role, first_name, last_name, agency_id, 300
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::uuid[]) AS t(email, role, first_name, last_name, agency_id)`,
      [staff.map((s) => s.email), staff.map((s) => s.role), staff.map((s) => s.firstName), staff.map((s) => s.lastName), staff.map((s) => s.agencyId), ctx.passwordHash],
    );
    return rowCount ?? 0;
  },
};

/** One name part as the app normalises it; sort and search keys of a full name are these parts joined by spaces. */
const sortPart = (s: string) => sortKeyOf(s, '');

/**
 * Deterministic choices in SQL: bench_pick(i, salt, n) is a hash of (i, salt) in 0..n-1.
 * The beneficiary statement reads the communes' slots (one per unit of weight), the names
 * and the advisors of each agency from temporary tables.
 */
async function createGenerationHelpers(ctx: GenerationContext): Promise<void> {
  const { client } = ctx;
  await client.query(`
    CREATE FUNCTION pg_temp.bench_pick(i int, salt int, n int) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (hashint8(i::bigint * 1009 + salt) & 2147483647) % n $$`);
  const agencyOf = new Map(ctx.agencies.flatMap((a) => a.communes.map((c) => [c.code, a.id])));
  const slots = ctx.communes.flatMap((c) => Array.from({ length: c.weight }, () => c));
  await client.query(
    `CREATE TEMP TABLE bench_slots ON COMMIT DROP AS
     SELECT (n - 1)::int AS slot, code::char(5) AS commune_code, town, agency_id
       FROM unnest($1::text[], $2::text[], $3::uuid[]) WITH ORDINALITY AS t(code, town, agency_id, n)`,
    [slots.map((c) => c.code), slots.map((c) => c.name), slots.map((c) => agencyOf.get(c.code))],
  );
  const first = [...FEMALE_FIRST_NAMES.map((name, k) => ({ sex: 'F', k, name })), ...MALE_FIRST_NAMES.map((name, k) => ({ sex: 'M', k, name }))];
  await client.query(
    `CREATE TEMP TABLE bench_first ON COMMIT DROP AS
     SELECT * FROM unnest($1::char(1)[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(sex, k, name, skey, qkey, slug)`,
    [first.map((f) => f.sex), first.map((f) => f.k), first.map((f) => f.name), first.map((f) => sortPart(f.name)), first.map((f) => searchKeyOf(f.name)), first.map((f) => asciiSlug(f.name))],
  );
  await client.query(
    `CREATE TEMP TABLE bench_last ON COMMIT DROP AS
     SELECT (n - 1)::int AS k, name, skey, qkey, slug FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(name, skey, qkey, slug, n)`,
    [LAST_NAMES, LAST_NAMES.map(sortPart), LAST_NAMES.map((n) => searchKeyOf(n)), LAST_NAMES.map(asciiSlug)],
  );
  await client.query(`
    CREATE TEMP TABLE bench_advisors ON COMMIT DROP AS
    SELECT agency_id, (row_number() OVER (PARTITION BY agency_id ORDER BY id) - 1)::int AS k, id,
           count(*) OVER (PARTITION BY agency_id)::int AS n
      FROM users WHERE role = 'advisor'`);
  await client.query(`ANALYZE bench_slots; ANALYZE bench_first; ANALYZE bench_last; ANALYZE bench_advisors`);
}

/**
 * Status: 22 % to orient, 28 % oriented, 38 % in a pathway (contract signed), 12 % exited.
 * Dates go back from today so that part of the open cases is overdue: the orientation is due
 * DEADLINE_ORIENTATION_DAYS after the opening of rights, the contract DEADLINE_CONTRACT_DAYS
 * after the orientation, the review of the social path SOCIAL_REVIEW_MONTHS after it
 * (case-rules.ts computeDeadlines); nothing is due once exited. Advisors are of the person's
 * agency: 60 % of the cases to orient have one, 95 % of the others.
 */
const beneficiariesStep: GenerationStep = {
  name: 'beneficiaries',
  tables: ['beneficiaries'],
  async run(ctx) {
    await createGenerationHelpers(ctx);
    const slots = ctx.communes.reduce((s, c) => s + c.weight, 0);
    const { rowCount } = await ctx.client.query(
      `WITH p AS (
         SELECT g.i, s.commune_code, s.town, s.agency_id,
                CASE WHEN pg_temp.bench_pick(g.i, 1, 100) < 52 THEN 'F' ELSE 'M' END AS sex,
                CASE WHEN pg_temp.bench_pick(g.i, 2, 100) < 22 THEN 'to_orient'
                     WHEN pg_temp.bench_pick(g.i, 2, 100) < 50 THEN 'oriented'
                     WHEN pg_temp.bench_pick(g.i, 2, 100) < 88 THEN 'in_pathway'
                     ELSE 'exited' END AS status,
                pg_temp.bench_pick(g.i, 16, 10) < 8 AS exited_oriented,
                pg_temp.bench_pick(g.i, 18, 10) < 6 AS exited_contract
           FROM generate_series(0, $1::int - 1) AS g(i)
           JOIN bench_slots s ON s.slot = pg_temp.bench_pick(g.i, 0, $2::int)
       ), t AS (
         SELECT p.*,
                CASE p.status
                  WHEN 'oriented' THEN current_date - pg_temp.bench_pick(i, 11, 50)
                  WHEN 'in_pathway' THEN current_date - pg_temp.bench_pick(i, 13, 330) - (5 + pg_temp.bench_pick(i, 14, 25))
                  WHEN 'exited' THEN CASE WHEN exited_oriented THEN current_date - pg_temp.bench_pick(i, 15, 600) - (30 + pg_temp.bench_pick(i, 17, 300)) END
                END AS oriented_on,
                CASE p.status
                  WHEN 'in_pathway' THEN current_date - pg_temp.bench_pick(i, 13, 330)
                  WHEN 'exited' THEN CASE WHEN exited_oriented AND exited_contract
                    THEN current_date - pg_temp.bench_pick(i, 15, 600) - (30 + pg_temp.bench_pick(i, 17, 300)) + (5 + pg_temp.bench_pick(i, 14, 25)) END
                END AS contract_signed_on,
                CASE WHEN p.status = 'exited' THEN current_date - pg_temp.bench_pick(i, 15, 600) END AS exited_on
           FROM p
       ), u AS (
         SELECT t.*,
                CASE WHEN t.status = 'to_orient' THEN current_date - pg_temp.bench_pick(i, 10, 75)
                     ELSE COALESCE(t.oriented_on, t.exited_on - 60) - (10 + pg_temp.bench_pick(i, 12, 60)) END AS rights_opened_on,
                CASE WHEN t.oriented_on IS NULL THEN NULL
                     WHEN pg_temp.bench_pick(i, 3, 100) < 45 THEN 'professional'
                     WHEN pg_temp.bench_pick(i, 3, 100) < 75 THEN 'socio_professional'
                     ELSE 'social' END AS orientation_path
           FROM t
       ), v AS (
         SELECT u.*,
                CASE u.orientation_path
                  WHEN 'professional' THEN CASE WHEN pg_temp.bench_pick(i, 4, 10) < 8 THEN 'france_travail' WHEN pg_temp.bench_pick(i, 4, 10) < 9 THEN 'cap_emploi' ELSE 'mission_locale' END
                  WHEN 'socio_professional' THEN CASE WHEN pg_temp.bench_pick(i, 4, 10) < 6 THEN 'departement' ELSE 'delegate' END
                  WHEN 'social' THEN 'departement'
                END AS referent_body,
                CASE WHEN u.status = 'to_orient' THEN u.rights_opened_on + $3::int END AS orientation_due_on,
                CASE WHEN u.status = 'oriented' THEN u.oriented_on + $4::int END AS contract_due_on,
                CASE WHEN u.status IN ('oriented', 'in_pathway') AND u.orientation_path = 'social'
                     THEN (u.oriented_on + make_interval(months => $5::int))::date END AS review_due_on,
                pg_temp.bench_pick(i, 20, 100) < CASE WHEN u.status = 'to_orient' THEN 60 ELSE 95 END AS assigned
           FROM u
       )
       INSERT INTO beneficiaries (
         caf_number, first_name, last_name, birth_name, birth_date, sex, commune_code, address, no_fixed_address, phone, email,
         household_role, rights_state, subject_to_rights_and_duties, rights_opened_on, status, agency_id, advisor_id,
         orientation_path, referent_body, oriented_on, contract_signed_on, first_oriented_on, first_contract_signed_on, exit_reason, exited_on,
         orientation_due_on, contract_due_on, review_due_on, next_due_on, sort_key, search_text, last_contact_at, created_at)
       SELECT lpad(($6::int + v.i)::text, 7, '0'), f.name, l.name, bn.name,
              current_date - (18 * 365 + pg_temp.bench_pick(v.i, 9, 46 * 365)), v.sex, v.commune_code,
              CASE WHEN pg_temp.bench_pick(v.i, 25, 100) >= 3
                   THEN (1 + pg_temp.bench_pick(v.i, 26, 150))::text || ' ' || ($7::text[])[1 + pg_temp.bench_pick(v.i, 27, cardinality($7::text[]))] || ', ' || v.town END,
              pg_temp.bench_pick(v.i, 25, 100) < 3,
              CASE WHEN pg_temp.bench_pick(v.i, 28, 100) < 80
                   THEN regexp_replace('0' || (6 + pg_temp.bench_pick(v.i, 31, 2))::text || lpad(pg_temp.bench_pick(v.i, 29, 100000000)::text, 8, '0'), '(..)(..)(..)(..)(..)', '\\1 \\2 \\3 \\4 \\5') END,
              CASE WHEN pg_temp.bench_pick(v.i, 32, 100) < 50 THEN f.slug || '.' || l.slug || '@example.org' END,
              CASE WHEN pg_temp.bench_pick(v.i, 22, 100) < 80 THEN 'DEM' ELSE 'CJT' END,
              CASE WHEN v.status = 'exited' THEN (ARRAY['5', '6'])[1 + pg_temp.bench_pick(v.i, 23, 2)]
                   WHEN pg_temp.bench_pick(v.i, 23, 100) < 85 THEN '2' WHEN pg_temp.bench_pick(v.i, 23, 100) < 93 THEN '3' ELSE '4' END,
              true, v.rights_opened_on, v.status, v.agency_id, a.id,
              v.orientation_path, v.referent_body, v.oriented_on, v.contract_signed_on, v.oriented_on, v.contract_signed_on,
              CASE WHEN v.status = 'exited' THEN (ARRAY['employment', 'training', 'end_of_rights', 'moved_out', 'other'])[1 + pg_temp.bench_pick(v.i, 24, 5)] END,
              v.exited_on, v.orientation_due_on, v.contract_due_on, v.review_due_on,
              LEAST(v.orientation_due_on, v.contract_due_on, v.review_due_on),
              l.skey || ' ' || f.skey,
              l.qkey || ' ' || f.qkey || COALESCE(' ' || bn.qkey, ''),
              CASE WHEN v.status = 'exited' THEN v.exited_on::timestamptz ELSE now() - make_interval(days => pg_temp.bench_pick(v.i, 30, 300)) END,
              v.rights_opened_on::timestamptz
         FROM v
         JOIN bench_first f ON f.sex = v.sex AND f.k = pg_temp.bench_pick(v.i, 5, CASE v.sex WHEN 'F' THEN $8::int ELSE $9::int END)
         JOIN bench_last l ON l.k = pg_temp.bench_pick(v.i, 6, $10::int)
         LEFT JOIN bench_last bn ON v.sex = 'F' AND pg_temp.bench_pick(v.i, 7, 100) < 15 AND bn.k = pg_temp.bench_pick(v.i, 8, $10::int) AND bn.k <> l.k
         LEFT JOIN bench_advisors a ON v.assigned AND a.agency_id = v.agency_id AND a.k = pg_temp.bench_pick(v.i, 21, a.n)`,
      [
        ctx.options.beneficiaries, slots, DEADLINES.orientationDays, DEADLINES.contractDays, DEADLINES.socialReviewMonths, GENERATED_CAF_BASE,
        STREETS, FEMALE_FIRST_NAMES.length, MALE_FIRST_NAMES.length, LAST_NAMES.length,
      ],
    );
    return rowCount ?? 0;
  },
};

/** The rows the API writes with a case: its current orientation, its advisor's assignment, its signed contract. */
const caseRowsStep: GenerationStep = {
  name: 'orientations, assignments, contracts',
  tables: ['orientations', 'beneficiary_assignments', 'contracts'],
  async run({ client }) {
    const orientations = await client.query(
      `INSERT INTO orientations (beneficiary_id, path, referent_body, decided_on, created_at)
       SELECT id, orientation_path, referent_body, oriented_on, oriented_on::timestamptz FROM beneficiaries WHERE oriented_on IS NOT NULL`,
    );
    const assignments = await client.query(
      `INSERT INTO beneficiary_assignments (beneficiary_id, advisor_id, assigned_at)
       SELECT id, advisor_id, COALESCE(oriented_on, rights_opened_on)::timestamptz FROM beneficiaries WHERE advisor_id IS NOT NULL`,
    );
    // An exit keeps the contract (a re-entry resumes the case where it was).
    const contracts = await client.query(
      `INSERT INTO contracts (beneficiary_id, status, starts_on, ends_on, signed_on, action_plan, created_at)
       SELECT id, 'signed', contract_signed_on, (contract_signed_on + interval '12 months')::date, contract_signed_on,
              'Plan d''action défini avec le référent', contract_signed_on::timestamptz
         FROM beneficiaries WHERE contract_signed_on IS NOT NULL`,
    );
    return (orientations.rowCount ?? 0) + (assignments.rowCount ?? 0) + (contracts.rowCount ?? 0);
  },
};


/** A SIRET whose Luhn sum is a multiple of 10: "8" + n on 12 digits + the check digit. */
export function generatedSiret(n: number): string {
  const body = `8${String(n).padStart(12, '0')}`;
  for (let check = 0; check < 10; check++) {
    const digits = `${body}${check}`;
    const sum = [...digits].reduce((acc, d, i) => {
      const v = Number(d) * (i % 2 === 0 ? 2 : 1);
      return acc + (v > 9 ? v - 9 : v);
    }, 0);
    if (sum % 10 === 0) return digits;
  }
  throw new Error('unreachable');
}

const PROGRAMME_PATHS = [
  ['professional', 'socio_professional'],
  ['socio_professional', 'social'],
  ['professional'],
  ['social'],
  ['professional', 'socio_professional', 'social'],
];

/**
 * Providers across the communes, and programmes of every type: capacities of 6 to 36
 * places (21 on average: 600 programmes make the 12,600 places), open to one or more
 * orientation paths; one programme in 20 inactive. One provider staff account.
 */
const programmesStep: GenerationStep = {
  name: 'providers and programmes',
  tables: ['providers', 'programmes'],
  async run(ctx) {
    const { client, options } = ctx;
    const providers = Array.from({ length: options.providers }, (_, n) => ({
      name: `Structure d'insertion ${String(n + 1).padStart(3, '0')}`,
      siret: generatedSiret(n + 1),
      communeCode: ctx.communes[n % ctx.communes.length].code,
    }));
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO providers (name, siret, commune_code, email)
       SELECT name, siret, commune_code, 'contact-' || n || '@structure.example'
         FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(name, siret, commune_code, n)
        ORDER BY n
       RETURNING id`,
      [providers.map((p) => p.name), providers.map((p) => p.siret), providers.map((p) => p.communeCode)],
    );
    const providerIds = inserted.rows.map((r) => r.id);
    ctx.providerId = providerIds[0];
    await client.query(
      `INSERT INTO users (email, password_hash, role, first_name, last_name, provider_id) VALUES ($1, $2, 'provider', 'Karim', 'Haddad', $3)`,
      [options.providerEmail.toLowerCase(), ctx.passwordHash, ctx.providerId],
    );
    const programmes = await client.query(
      `INSERT INTO programmes (code, name, provider_id, type, description, capacity, places_held, starts_on, ends_on,
                               commune_code, eligible_paths, weekly_hours, active)
       SELECT 'PRG-' || lpad(g.n::text, 4, '0'), initcap(replace(t.type, '_', ' ')) || ' ' || c.code,
              ($1::uuid[])[1 + (g.n - 1) % cardinality($1::uuid[])], t.type, NULL,
              6 + pg_temp.bench_pick(g.n, 40, 31), 0,
              current_date - 400 + pg_temp.bench_pick(g.n, 41, 200), NULL,
              c.code, ps.paths, 10 + pg_temp.bench_pick(g.n, 42, 26), g.n % 20 <> 0
         FROM generate_series(1, $2::int) AS g(n)
         JOIN unnest($3::text[]) WITH ORDINALITY AS t(type, k) ON t.k = 1 + pg_temp.bench_pick(g.n, 43, cardinality($3::text[]))
         JOIN unnest($4::text[]) WITH ORDINALITY AS c(code, k) ON c.k = 1 + (g.n - 1) % cardinality($4::text[])
         JOIN (SELECT k, string_to_array(paths, ',') AS paths FROM unnest($5::text[]) WITH ORDINALITY AS x(paths, k)) ps
           ON ps.k = 1 + pg_temp.bench_pick(g.n, 44, cardinality($5::text[]))`,
      [providerIds, options.programmes, Object.values(ProgrammeType), ctx.communes.map((c) => c.code), PROGRAMME_PATHS.map((p) => p.join(','))],
    );
    return providerIds.length + 1 + (programmes.rowCount ?? 0);
  },
};

/**
 * Referrals of oriented people still in the scheme (one each) to an active programme open
 * to their path, over the last 300 days. Within a programme, in order of arrival, the first
 * ones hold its places (accepted or started): all of them in one programme in four (full, so
 * later open referrals wait), 70 % elsewhere; the rest are completed, declined, cancelled,
 * abandoned, expired, or still submitted (waitlisted when the programme is full). The places
 * held are then counted from the referrals, as the app keeps them.
 */
const referralsStep: GenerationStep = {
  name: 'referrals',
  tables: ['referrals'],
  async run({ client, options }) {
    const { rowCount } = await client.query(
      `WITH eligible AS (
         SELECT id, orientation_path AS path, row_number() OVER (ORDER BY id) AS n
           FROM beneficiaries WHERE orientation_path IS NOT NULL AND exited_on IS NULL AND anonymised_at IS NULL
       ), offer AS (
         SELECT path, id, capacity, (row_number() OVER (PARTITION BY path ORDER BY code) - 1)::int AS k,
                count(*) OVER (PARTITION BY path)::int AS total, (row_number() OVER (ORDER BY code))::int % 4 = 0 AS full_up
           FROM programmes, unnest(eligible_paths) AS path WHERE active
       ), totals AS (SELECT DISTINCT path, total FROM offer
       ), picked AS (
         SELECT e.n::int AS i, e.id AS beneficiary_id, e.path, pg_temp.bench_pick(e.n::int, 45, t.total) AS k
           FROM eligible e JOIN totals t ON t.path = e.path WHERE e.n <= $1::int
       ), ranked AS (
         SELECT p.i, p.beneficiary_id, o.id AS programme_id, o.full_up,
                CASE WHEN o.full_up THEN o.capacity ELSE floor(o.capacity * 0.7)::int END AS held_places,
                row_number() OVER (PARTITION BY o.id ORDER BY p.i) AS rank,
                now() - make_interval(days => 1 + pg_temp.bench_pick(p.i, 46, 300), secs => pg_temp.bench_pick(p.i, 47, 86400)) AS created_at
           FROM picked p JOIN offer o ON o.path = p.path AND o.k = p.k
       ), s AS (
         SELECT r.*,
                CASE WHEN r.rank <= r.held_places THEN CASE WHEN pg_temp.bench_pick(r.i, 48, 3) < 2 THEN 'in_progress' ELSE 'accepted' END
                     WHEN pg_temp.bench_pick(r.i, 49, 100) < 40 THEN 'completed'
                     WHEN pg_temp.bench_pick(r.i, 49, 100) < 55 THEN 'declined'
                     WHEN pg_temp.bench_pick(r.i, 49, 100) < 65 THEN 'cancelled'
                     WHEN pg_temp.bench_pick(r.i, 49, 100) < 75 THEN 'abandoned'
                     WHEN pg_temp.bench_pick(r.i, 49, 100) < 85 THEN 'expired'
                     WHEN r.full_up THEN 'waitlisted'
                     ELSE 'submitted' END AS status,
                make_interval(days => 1 + pg_temp.bench_pick(r.i, 50, 20)) AS wait
           FROM ranked r
       ), d AS (
         SELECT s.*,
                CASE WHEN s.status IN ('accepted', 'in_progress', 'completed', 'abandoned') THEN LEAST(s.created_at + s.wait, now()) END AS accepted_at,
                CASE WHEN s.status IN ('in_progress', 'completed', 'abandoned') THEN LEAST(s.created_at + s.wait + interval '3 days', now()) END AS started_at
           FROM s
       )
       INSERT INTO referrals (beneficiary_id, programme_id, status, note, submitted_at, accepted_at, started_at, closed_at, close_reason, created_at, updated_at)
       SELECT beneficiary_id, programme_id, status, NULL,
              CASE WHEN status <> 'waitlisted' THEN created_at END, accepted_at, started_at,
              CASE status
                WHEN 'completed' THEN LEAST(started_at + interval '60 days', now())
                WHEN 'abandoned' THEN LEAST(started_at + interval '20 days', now())
                WHEN 'declined' THEN LEAST(created_at + interval '5 days', now())
                WHEN 'cancelled' THEN LEAST(created_at + interval '8 days', now())
                WHEN 'expired' THEN created_at + interval '30 days'
              END,
              CASE WHEN status = 'declined' THEN 'Profil non adapté au programme' END,
              created_at, created_at
         FROM d`,
      [options.referrals],
    );
    await client.query(
      `UPDATE programmes p SET places_held = h.n
         FROM (SELECT programme_id, count(*)::int AS n FROM referrals WHERE status IN ('accepted', 'in_progress') GROUP BY programme_id) h
        WHERE h.programme_id = p.id`,
    );
    return rowCount ?? 0;
  },
};

/**
 * The construction pathway's cohort: participants among the people oriented on a
 * professional path and still in the scheme, enrolled 100 to 400 days ago, with one or two
 * target trades and 1 to 6 steps in stage order (every step done but the last, which is in
 * progress, planned, or done: then the person is without a solution since its end). Those
 * who reached `employment` have a job (the lasting rule of the app decides `lasting`), and
 * 20 operations with social clauses record their monthly hours. The current stage and the
 * "without a solution" date are computed by the app's own `deriveParticipantState`.
 */
const pathwayStep: GenerationStep = {
  name: 'construction pathway',
  tables: ['pathway_participants', 'pathway_participant_trades', 'pathway_steps', 'pathway_employments', 'clause_operations', 'clause_lots', 'clause_hours'],
  async run({ client, options }) {
    const participants = await client.query<{ id: string; enrolled_on: string }>(
      `INSERT INTO pathway_participants (beneficiary_id, enrolled_on, sourcing_channel, advisor_id)
       SELECT b.id, current_date - (100 + pg_temp.bench_pick(b.n, 60, 300)),
              (ARRAY['agency', 'france_travail', 'employer', 'self', 'partner'])[1 + pg_temp.bench_pick(b.n, 61, 5)], b.advisor_id
         FROM (SELECT id, advisor_id, row_number() OVER (ORDER BY id)::int AS n FROM beneficiaries
                WHERE orientation_path = 'professional' AND exited_on IS NULL AND anonymised_at IS NULL) b
        WHERE b.n <= $1
       RETURNING id, to_char(enrolled_on, 'YYYY-MM-DD') AS enrolled_on`,
      [options.participants],
    );
    const ids = participants.rows.map((p) => p.id);
    await client.query(
      `INSERT INTO pathway_participant_trades (participant_id, rome_code)
       SELECT DISTINCT p.id, r.code
         FROM unnest($1::uuid[]) WITH ORDINALITY AS p(id, n)
         CROSS JOIN generate_series(1, 2) AS g(k)
         JOIN (SELECT code, row_number() OVER (ORDER BY code)::int AS k, count(*) OVER ()::int AS total FROM rome_codes WHERE code LIKE 'F%') r
           ON r.k = 1 + pg_temp.bench_pick(p.n::int * 2 + g.k, 62, r.total)
        WHERE g.k = 1 OR pg_temp.bench_pick(p.n::int, 63, 2) = 0`,
      [ids],
    );
    // Steps: 1 to 6 main stages in order, 14 days apart; the last one in progress, planned or done.
    const steps = await client.query<{ participant_id: string; type: StepType; status: StepStatus; starts_on: string; ends_on: string | null }>(
      `INSERT INTO pathway_steps (participant_id, type, status, starts_on, ends_on)
       SELECT p.id, ($2::text[])[s.j], st.status, p.enrolled_on + 14 * (s.j - 1),
              CASE WHEN st.status = 'done' THEN p.enrolled_on + 14 * (s.j - 1) + 10 END
         FROM (SELECT pp.id, pp.enrolled_on, n::int, 1 + pg_temp.bench_pick(n::int, 64, 6) AS steps
                 FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n) JOIN pathway_participants pp ON pp.id = u.id) p
         CROSS JOIN LATERAL generate_series(1, p.steps) AS s(j)
         CROSS JOIN LATERAL (SELECT CASE WHEN s.j < p.steps THEN 'done'
                                         ELSE (ARRAY['in_progress', 'in_progress', 'planned', 'done'])[1 + pg_temp.bench_pick(p.n, 65, 4)] END AS status) st
       RETURNING participant_id, type, status, to_char(starts_on, 'YYYY-MM-DD') AS starts_on, to_char(ends_on, 'YYYY-MM-DD') AS ends_on`,
      [ids, STAGE_ORDER.slice(0, 6)],
    );
    const byParticipant = new Map<string, typeof steps.rows>();
    for (const step of steps.rows) byParticipant.set(step.participant_id, [...(byParticipant.get(step.participant_id) ?? []), step]);
    const states = participants.rows.map((p) =>
      deriveParticipantState(p.enrolled_on, (byParticipant.get(p.id) ?? []).map((s) => ({ type: s.type, status: s.status, startsOn: s.starts_on, endsOn: s.ends_on }))),
    );
    await client.query(
      `UPDATE pathway_participants p SET current_stage = s.stage, without_solution_since = s.since::date
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS s(id, stage, since) WHERE p.id = s.id`,
      [ids, states.map((s) => s.currentStage), states.map((s) => s.withoutSolutionSince)],
    );
    // Jobs of those who reached the employment stage, a third of them on an operation with social clauses.
    const contractTypes = [ContractType.Cdi, ContractType.Cdd, ContractType.Cdd, ContractType.Interim, ContractType.Apprenticeship, ContractType.Iae];
    const jobs = steps.rows
      .filter((s) => s.type === StepType.Employment)
      .map((s, k) => {
        const contractType = contractTypes[k % contractTypes.length];
        const endsOn = contractType === ContractType.Cdi ? null : new Date(Date.parse(s.starts_on) + (k % 2 ? 240 : 90) * 86_400_000).toISOString().slice(0, 10);
        return { participantId: s.participant_id, contractType, startsOn: s.starts_on, endsOn, lasting: isLastingEmployment(contractType, s.starts_on, endsOn), onOperation: k % 3 === 0 };
      });
    const operations = await client.query<{ id: string }>(
      `INSERT INTO clause_operations (name, contracting_authority, commune_code)
       SELECT 'Opération ' || lpad(g.n::text, 2, '0'), (ARRAY['Département de la Seine-Saint-Denis', 'Plaine Commune', 'Solideo', 'Est Ensemble'])[1 + g.n % 4],
              (SELECT insee_code FROM communes WHERE active ORDER BY insee_code OFFSET g.n % 10 LIMIT 1)
         FROM generate_series(1, 20) AS g(n)
       RETURNING id`,
    );
    const operationIds = operations.rows.map((o) => o.id);
    await client.query(
      `INSERT INTO clause_lots (operation_id, label, amount, labour_share_percent, insertion_rate_percent, hourly_cost, required_hours, company_name, company_siret)
       SELECT o.id, 'Lot ' || l.k, 500000 * l.k, 45, 5, 32, round(500000 * l.k * 0.45 * 0.05 / 32)::int, 'Entreprise générale ' || l.k, '55210055400013'
         FROM unnest($1::uuid[]) AS o(id) CROSS JOIN generate_series(1, 2) AS l(k)`,
      [operationIds],
    );
    await client.query(
      `INSERT INTO pathway_employments (participant_id, employer_name, contract_type, starts_on, ends_on, weekly_hours, rome_code, operation_id, lasting)
       SELECT j.participant_id, 'Bâtiment Île-de-France ' || j.n, j.contract_type, j.starts_on::date, j.ends_on::date, 35, 'F1703',
              CASE WHEN j.on_operation THEN ($7::uuid[])[1 + j.n % cardinality($7::uuid[])] END, j.lasting
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::boolean[]) WITH ORDINALITY
              AS j(participant_id, contract_type, starts_on, ends_on, lasting, on_operation, n)`,
      [jobs.map((j) => j.participantId), jobs.map((j) => j.contractType), jobs.map((j) => j.startsOn), jobs.map((j) => j.endsOn), jobs.map((j) => j.lasting), jobs.map((j) => j.onOperation), operationIds],
    );
    // Monthly hours on the operations: 120 a month from the job's first month to the last month over.
    const hours = await client.query(
      `INSERT INTO clause_hours (operation_id, participant_id, month, hours)
       SELECT e.operation_id, e.participant_id, m::date, 120
         FROM pathway_employments e
         CROSS JOIN LATERAL generate_series(date_trunc('month', e.starts_on), date_trunc('month', LEAST(COALESCE(e.ends_on, current_date), current_date)) - interval '1 month', interval '1 month') AS m
        WHERE e.operation_id IS NOT NULL`,
    );
    return ids.length + steps.rows.length + jobs.length + operationIds.length * 3 + (hours.rowCount ?? 0);
  },
};

/** Runs in order, in one transaction. Append steps here. */
export const GENERATION_STEPS: GenerationStep[] = [agenciesStep, staffStep, beneficiariesStep, caseRowsStep, programmesStep, referralsStep, pathwayStep];

/** The keys the app would have computed (sortKeyOf, searchKeyOf), checked on a sample. */
async function checkKeys(client: Client): Promise<void> {
  const { rows } = await client.query<{ first_name: string; last_name: string; birth_name: string | null; sort_key: string; search_text: string }>(
    `SELECT first_name, last_name, birth_name, sort_key, search_text FROM beneficiaries TABLESAMPLE SYSTEM (2) REPEATABLE (1) LIMIT 2000`,
  );
  for (const r of rows) {
    const sortKey = sortKeyOf(r.last_name, r.first_name);
    const searchText = searchKeyOf(r.last_name, r.first_name, r.birth_name);
    if (r.sort_key !== sortKey || r.search_text !== searchText) {
      throw new Error(`generated keys differ from the app's: ${JSON.stringify(r)} (expected "${sortKey}", "${searchText}")`);
    }
  }
}

async function summarise(client: Client, ctx: GenerationContext): Promise<Omit<GenerationResult, 'totalMs' | 'steps'>> {
  const { rows } = await client.query<{ status: string; n: number; overdue: number; unassigned: number }>(
    `SELECT status, count(*)::int AS n, count(*) FILTER (WHERE next_due_on < current_date)::int AS overdue,
            count(*) FILTER (WHERE advisor_id IS NULL)::int AS unassigned
       FROM beneficiaries GROUP BY status ORDER BY status`,
  );
  const agency = ctx.managerAgency!;
  const [mine] = (
    await client.query<{ n: number; oriented: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'oriented')::int AS oriented FROM beneficiaries WHERE agency_id = $1`,
      [agency.id],
    )
  ).rows;
  const [offer] = (
    await client.query<{ programmes: number; places: number; held: number; referrals: number; participants: number }>(
      `SELECT count(*)::int AS programmes, coalesce(sum(capacity), 0)::int AS places, coalesce(sum(places_held), 0)::int AS held,
              (SELECT count(*)::int FROM referrals) AS referrals, (SELECT count(*)::int FROM pathway_participants) AS participants FROM programmes`,
    )
  ).rows;
  return {
    counts: {
      communes: ctx.communes.length,
      agencies: ctx.agencies.length,
      advisors: ctx.agencies.reduce((s, a) => s + a.advisors, 0),
      beneficiaries: rows.reduce((s, r) => s + r.n, 0),
      byStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])),
      overdue: rows.reduce((s, r) => s + r.overdue, 0),
      unassigned: rows.reduce((s, r) => s + r.unassigned, 0),
      programmes: offer.programmes,
      places: offer.places,
      placesHeld: offer.held,
      referrals: offer.referrals,
      participants: offer.participants,
    },
    manager: { email: ctx.options.managerEmail.toLowerCase(), agencyId: agency.id, agencyName: agency.name, beneficiaries: mine.n, oriented: mine.oriented },
    provider: { email: ctx.options.providerEmail.toLowerCase(), providerId: ctx.providerId! },
  };
}

/** Drops the indexes of `tables` that no constraint owns; returns the statements that rebuild them. */
async function dropIndexes(client: Client, tables: string[]): Promise<string[]> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT x.indexrelid::regclass::text AS name, pg_get_indexdef(x.indexrelid) AS definition
       FROM pg_index x
      WHERE x.indrelid = ANY($1::regclass[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
    [tables],
  );
  for (const r of rows) await client.query(`DROP INDEX ${r.name}`);
  return rows.map((r) => r.definition);
}

/** Every foreign key of `tables`, checked in one anti-join each (they were not checked row by row). */
async function checkForeignKeys(client: Client, tables: string[]): Promise<number> {
  const { rows } = await client.query<{ name: string; child: string; parent: string; child_cols: string[]; parent_cols: string[] }>(
    `SELECT c.conname AS name, c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
            array_agg(quote_ident(ca.attname) ORDER BY k.n) AS child_cols, array_agg(quote_ident(pa.attname) ORDER BY k.n) AS parent_cols
       FROM pg_constraint c
      CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(child_att, parent_att, n)
       JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = k.child_att
       JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.parent_att
      WHERE c.contype = 'f' AND c.conrelid = ANY($1::regclass[])
      GROUP BY c.conname, c.conrelid, c.confrelid`,
    [tables],
  );
  for (const fk of rows) {
    const notNull = fk.child_cols.map((col) => `x.${col} IS NOT NULL`).join(' AND ');
    const matches = fk.child_cols.map((col, i) => `p.${fk.parent_cols[i]} = x.${col}`).join(' AND ');
    const { rows: bad } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${fk.child} x WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${fk.parent} p WHERE ${matches})`,
    );
    if (bad[0].n > 0) throw new Error(`generated data break ${fk.name}: ${bad[0].n} rows of ${fk.child}`);
  }
  return rows.length;
}

/**
 * Fills the (migrated, empty) database at `databaseUrl`, in one transaction; prints and returns
 * what it made and how long each part took. As a bulk load: the loaded tables' indexes are built
 * once at the end, and foreign keys are checked set-based (with session_replication_role =
 * replica, which needs the superuser the embedded cluster gives; else they are checked row by row).
 */
export async function generateData(databaseUrl: string, options: GenerateOptions, steps: GenerationStep[] = GENERATION_STEPS): Promise<GenerationResult> {
  if (options.beneficiaries > MAX_BENEFICIARIES) throw new Error(`at most ${MAX_BENEFICIARIES} beneficiaries (CAF numbers 1000000 + n)`);
  const started = performance.now();
  const client = new Client({ connectionString: databaseUrl, application_name: 'parcours-bench-generator' });
  await client.connect();
  const timings: GenerationResult['steps'] = [];
  const timed = async (name: string, work: () => Promise<number>) => {
    const t0 = performance.now();
    const rows = await work();
    timings.push({ name, rows, ms: Math.round(performance.now() - t0) });
  };
  try {
    const passwordHash = await argon2.hash(options.password, { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const { rows: communeRows } = await client.query<{ code: string; name: string; ept_code: string }>(
      `SELECT insee_code AS code, name, ept_code FROM communes WHERE active ORDER BY insee_code`,
    );
    const communes = communeRows.map((c) => ({ code: c.code, name: c.name, eptCode: c.ept_code, weight: COMMUNE_WEIGHTS[c.code] ?? 10 }));
    if (options.agencies > communes.length) throw new Error(`${options.agencies} agencies for ${communes.length} active communes`);
    const ctx: GenerationContext = { client, options, passwordHash, communes, agencies: [] };
    const tables = [...new Set(steps.flatMap((s) => s.tables))];
    const { rows: role } = await client.query<{ superuser: boolean }>(`SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`);
    const deferForeignKeys = role[0]?.superuser === true;

    await client.query('BEGIN');
    await client.query(`SET LOCAL synchronous_commit = off`);
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    if (deferForeignKeys) await client.query(`SET LOCAL session_replication_role = replica`);
    const indexes = await dropIndexes(client, tables);
    for (const step of steps) await timed(step.name, () => step.run(ctx));
    await timed(`${indexes.length} indexes built`, async () => {
      for (const definition of indexes) await client.query(definition);
      return 0;
    });
    if (deferForeignKeys) await timed('foreign keys checked', () => checkForeignKeys(client, tables).then(() => 0));
    await client.query('COMMIT');
    await timed('ANALYZE', async () => {
      await client.query('ANALYZE');
      return 0;
    });
    await checkKeys(client);
    const summary = await summarise(client, ctx);
    const result = { totalMs: Math.round(performance.now() - started), steps: timings, ...summary };
    const c = result.counts;
    console.log(
      `generated ${c.agencies} agencies over ${c.communes} communes, ${c.advisors} advisors, ${c.beneficiaries} beneficiaries ` +
        `(${Object.entries(c.byStatus).map(([s, n]) => `${s} ${n}`).join(', ')}; overdue ${c.overdue}, unassigned ${c.unassigned}), ` +
        `${c.programmes} programmes (${c.places} places, ${c.placesHeld} held), ${c.referrals} referrals, ${c.participants} pathway participants ` +
        `in ${result.totalMs} ms: ${timings.map((t) => `${t.name} ${t.ms} ms`).join(', ')}`,
    );
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
