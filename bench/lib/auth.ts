import { httpRequest } from './http';
import type { Prepared, PrepareContext } from './scenarios';
import { randomSecret } from './secrets';

export interface Credentials {
  email: string;
  password: string;
}

/** The first admin the app creates at start (ADMIN_EMAIL / ADMIN_PASSWORD), to log in with. */
export const BENCH_ADMIN: Credentials = { email: 'bench-admin@parcours.example', password: randomSecret(32) };

/** The password of every account the data generator creates (advisors and the manager). */
export const GENERATED_PASSWORD = randomSecret(32);

/** The agency manager the data generator creates for its largest agency (bench/lib/generate.ts). */
export const BENCH_MANAGER: Credentials = { email: 'bench-manager@parcours.example', password: GENERATED_PASSWORD };

/** The staff account the data generator creates for its first provider. */
export const BENCH_PROVIDER: Credentials = { email: 'bench-provider@parcours.example', password: GENERATED_PASSWORD };

const tokens = new Map<string, Promise<string>>();

async function login(baseUrl: string, credentials: Credentials): Promise<string> {
  const res = await httpRequest(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  if (res.status !== 200) throw new Error(`login as ${credentials.email}: ${res.status} ${res.body}`);
  return (JSON.parse(res.body) as { accessToken: string }).accessToken;
}

/** `Authorization: Bearer` with an access token (15 min) of that account; one login per app and account per run. */
export async function bearerHeaders(appUrl: string, credentials: Credentials): Promise<Record<string, string>> {
  const key = `${appUrl} ${credentials.email}`;
  if (!tokens.has(key)) tokens.set(key, login(appUrl, credentials));
  return { authorization: `Bearer ${await tokens.get(key)}` };
}

/** Scenario hook: as the bench admin. */
export async function staffBearer({ appUrl }: PrepareContext): Promise<Prepared> {
  return { headers: await bearerHeaders(appUrl, BENCH_ADMIN) };
}
