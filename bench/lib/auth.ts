import { httpRequest } from './http';
import type { PrepareContext } from './scenarios';
import { randomSecret } from './secrets';

/** The first admin the app creates at start (ADMIN_EMAIL / ADMIN_PASSWORD), to log in with. */
export const BENCH_ADMIN = { email: 'bench-admin@parcours.example', password: randomSecret(32) };

const tokens = new Map<string, Promise<string>>();

async function login(baseUrl: string): Promise<string> {
  const res = await httpRequest(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(BENCH_ADMIN),
  });
  if (res.status !== 200) throw new Error(`login as the bench admin: ${res.status} ${res.body}`);
  return (JSON.parse(res.body) as { accessToken: string }).accessToken;
}

/** Scenario hook: `Authorization: Bearer` with an admin access token (15 min), one login per run. */
export async function staffBearer({ appUrl }: PrepareContext): Promise<Record<string, string>> {
  if (!tokens.has(appUrl)) tokens.set(appUrl, login(appUrl));
  return { authorization: `Bearer ${await tokens.get(appUrl)}` };
}
