/**
 * Concurrent acceptances on one programme: 20 clients send POST /referrals/{id}/accept
 * as the programme's provider, over more submitted referrals than the programme has
 * places, to the baseline (plain Fastify + pg running the same conditional UPDATE) and
 * to the app. The app also writes the timeline line, the outbox event and the audit row
 * of each acceptance, and answers with the referral read back. Afterwards the database
 * must show exactly `capacity` acceptances and no place overbooked.
 */
import autocannon from 'autocannon';
import { Client } from 'pg';
import { BENCH_PROVIDER, bearerHeaders } from './auth';

export const ACCEPT_GOAL = { clients: 20, minRatio: 0.5 };

/** Per target: a programme of CAPACITY places and REFERRALS submitted referrals to it (the rest get 409). */
const CAPACITY = 2000;
const REFERRALS = 2400;
const WARMUP = { capacity: 100, referrals: 150 };

export interface AcceptRun {
  /** Accept requests answered per second, 200 and 409 alike. */
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  accepted: number;
  /** 409 PLACE_CAPACITY_REACHED */
  refused: number;
  /** Any other answer or connection error: there should be none. */
  other: number;
  /** From the database afterwards. */
  placesHeld: number;
  acceptedInDb: number;
  /** Places held beyond the capacity, or acceptances beyond the places held: must be 0. */
  overbooked: number;
}

export interface AcceptMeasurement {
  clients: number;
  capacity: number;
  referrals: number;
  baseline: AcceptRun;
  app: AcceptRun;
  ratio: number;
}

/** A programme of the bench provider with `capacity` places and `referrals` submitted referrals of oriented people; their ids. */
async function seed(client: Client, providerId: string, code: string, capacity: number, referrals: number): Promise<{ programmeId: string; referralIds: string[] }> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO programmes (code, name, provider_id, type, capacity, starts_on, commune_code, eligible_paths, weekly_hours)
     SELECT $1, 'Chantier école (banc d''essai)', $2, 'training', $3, current_date - 30, min(insee_code), ARRAY['professional', 'socio_professional', 'social'], 30
       FROM communes WHERE active
     RETURNING id`,
    [code, providerId, capacity],
  );
  const programmeId = rows[0].id;
  const inserted = await client.query<{ id: string }>(
    `INSERT INTO referrals (beneficiary_id, programme_id, status, submitted_at)
     SELECT id, $1, 'submitted', now() FROM beneficiaries
      WHERE orientation_path IS NOT NULL AND exited_on IS NULL AND anonymised_at IS NULL
      ORDER BY id LIMIT $2
     RETURNING id`,
    [programmeId, referrals],
  );
  if (inserted.rows.length < referrals) throw new Error(`only ${inserted.rows.length} oriented people for ${referrals} referrals`);
  return { programmeId, referralIds: inserted.rows.map((r) => r.id) };
}

/** Every referral accepted once, `clients` requests in flight at a time. */
function fire(baseUrl: string, headers: Record<string, string>, referralIds: string[], clients: number): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url: baseUrl,
    connections: clients,
    amount: referralIds.length,
    headers: { ...headers, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        body: '{}',
        setupRequest: (req) => ({ ...req, path: `/api/v1/referrals/${referralIds[next++ % referralIds.length]}/accept` }),
      },
    ],
  });
}

async function run(client: Client, baseUrl: string, headers: Record<string, string>, providerId: string, name: string, clients: number): Promise<AcceptRun> {
  const warm = await seed(client, providerId, `BENCH-WARM-${name}`, WARMUP.capacity, WARMUP.referrals);
  await fire(baseUrl, headers, warm.referralIds, clients);
  const { programmeId, referralIds } = await seed(client, providerId, `BENCH-ACCEPT-${name}`, CAPACITY, REFERRALS);
  const r = await fire(baseUrl, headers, referralIds, clients);
  const codes = r.statusCodeStats as unknown as Record<string, { count: number } | undefined>;
  const accepted = codes['200']?.count ?? 0;
  const refused = codes['409']?.count ?? 0;
  const answered = Object.values(codes).reduce((s, c) => s + (c?.count ?? 0), 0);
  const { rows } = await client.query<{ held: number; capacity: number; accepted: number }>(
    `SELECT p.places_held AS held, p.capacity, (SELECT count(*)::int FROM referrals WHERE programme_id = p.id AND status = 'accepted') AS accepted
       FROM programmes p WHERE p.id = $1`,
    [programmeId],
  );
  const db = rows[0];
  return {
    requestsPerSec: Math.round((answered / r.duration) * 10) / 10,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    accepted,
    refused,
    other: answered - accepted - refused + r.errors,
    placesHeld: db.held,
    acceptedInDb: db.accepted,
    overbooked: Math.max(0, db.held - db.capacity) + Math.max(0, db.accepted - db.held) + Math.max(0, accepted - db.capacity),
  };
}

/** The baseline first, then the app, each on its own programme; the provider's token comes from the app. */
export async function measureAccepts(targets: { baselineUrl: string; appUrl: string; databaseUrl: string; providerId: string }): Promise<AcceptMeasurement> {
  const headers = await bearerHeaders(targets.appUrl, BENCH_PROVIDER);
  const client = new Client({ connectionString: targets.databaseUrl, application_name: 'parcours-bench-accepts' });
  await client.connect();
  try {
    const clients = ACCEPT_GOAL.clients;
    console.log(`concurrent accepts: ${clients} clients, ${REFERRALS} referrals for ${CAPACITY} places, baseline then app…`);
    const baseline = await run(client, targets.baselineUrl, headers, targets.providerId, 'BASELINE', clients);
    const app = await run(client, targets.appUrl, headers, targets.providerId, 'APP', clients);
    return { clients, capacity: CAPACITY, referrals: REFERRALS, baseline, app, ratio: Math.round((app.requestsPerSec / baseline.requestsPerSec) * 1000) / 1000 };
  } finally {
    await client.end();
  }
}
