/**
 * The baseline: the least a Node server can do for the benchmark's requests —
 * plain Fastify and a pg pool of the app's size, sending the very SQL the app
 * sends, checking the same access tokens and answering the same JSON. Run as a
 * child process by bench/run.ts.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { Pool } from 'pg';

interface CommuneRow {
  c_insee_code: string;
  c_name: string;
  c_ept_code: string;
  c_ept_name: string;
  c_active: boolean;
}

// The text TypeORM generates for CommunesRepository.list (limit inlined, no parameters).
const listCommunesSql = (limit: number) =>
  'SELECT "c"."insee_code" AS "c_insee_code", "c"."name" AS "c_name", "c"."ept_code" AS "c_ept_code", ' +
  '"c"."ept_name" AS "c_ept_name", "c"."active" AS "c_active" FROM "communes" "c" ' +
  `ORDER BY "c_insee_code" ASC LIMIT ${limit}`;

const accessSecret = process.env.JWT_ACCESS_SECRET ?? '';

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

/** What the app's JwtStrategy checks: HS256 signature, issuer, audience, expiry, a user token with a role. */
function validBearer(authorization: string | undefined): boolean {
  const match = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(authorization ?? '');
  if (!match) return false;
  const [, header, payload, signature] = match;
  const expected = createHmac('sha256', accessSecret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  let claims: Record<string, unknown>;
  try {
    claims = { ...decode(payload), alg: decode(header).alg };
  } catch {
    return false;
  }
  return (
    claims.alg === 'HS256' &&
    claims.iss === 'parcours' &&
    claims.aud === 'parcours-api' &&
    typeof claims.exp === 'number' &&
    claims.exp * 1000 > Date.now() &&
    claims.typ === 'user' &&
    typeof claims.role === 'string'
  );
}

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_SIZE ?? 10),
  connectionTimeoutMillis: 5000,
  statement_timeout: 15000,
  idle_in_transaction_session_timeout: 60000,
  application_name: 'parcours-baseline',
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
  const { rows } = await pool.query<CommuneRow>(listCommunesSql(limit + 1));
  const hasNextPage = rows.length > limit;
  const data = rows.slice(0, limit).map((r) => ({
    inseeCode: r.c_insee_code,
    name: r.c_name,
    eptCode: r.c_ept_code,
    eptName: r.c_ept_name,
    active: r.c_active,
  }));
  const last = data.at(-1);
  const nextCursor = hasNextPage && last ? Buffer.from(JSON.stringify([last.inseeCode])).toString('base64url') : null;
  return { data, page: { nextCursor, hasNextPage } };
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
