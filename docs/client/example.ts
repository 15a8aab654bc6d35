/**
 * A small typed client of the Parcours API, for agency front-ends: `fetch` and
 * the types that openapi-typescript generates from openapi/openapi.json
 * (`npm run client:types` writes ./generated/parcours-api.d.ts). CI compiles
 * this file against them (`npm run client:check`): a change of the API that
 * breaks these calls breaks the build. See docs/api-guide.md, "Typed client".
 */
import type { components, paths } from './generated/parcours-api';

type Problem = components['schemas']['ProblemDto'];

type LoginBody = paths['/api/v1/auth/login']['post']['requestBody']['content']['application/json'];
type TokenPair = paths['/api/v1/auth/login']['post']['responses'][200]['content']['application/json'];
type BeneficiaryFilter = NonNullable<paths['/api/v1/beneficiaries']['get']['parameters']['query']>;
type BeneficiaryPage = paths['/api/v1/beneficiaries']['get']['responses'][200]['content']['application/json'];
type ReferralInput = paths['/api/v1/referrals']['post']['requestBody']['content']['application/json'];
type Referral = paths['/api/v1/referrals']['post']['responses'][201]['content']['application/json'];

/** An error answered by the API: the RFC 9457 problem, with its stable `code`. */
export class ParcoursApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** Seconds to wait, on a 429 (`Retry-After`). */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${status} ${problem.code}: ${problem.detail}`);
  }
}

export class ParcoursClient {
  private accessToken: string | undefined;

  /** `baseUrl`: the server, e.g. `https://parcours.example.org` (the paths carry `/api/v1`). */
  constructor(private readonly baseUrl: string) {}

  /** Staff login; keeps the access token for the next calls. */
  async login(credentials: LoginBody): Promise<TokenPair> {
    const tokens = await this.request<TokenPair>('POST', '/api/v1/auth/login', { body: credentials, status: 200 });
    this.accessToken = tokens.accessToken;
    return tokens;
  }

  /** One page of case files; `page.nextCursor` goes in `cursor` for the next one. */
  listBeneficiaries(filter: BeneficiaryFilter = {}): Promise<BeneficiaryPage> {
    return this.request<BeneficiaryPage>('GET', '/api/v1/beneficiaries', { query: filter, status: 200 });
  }

  /** Refers a beneficiary to a programme (a `submitted` referral, 201). */
  createReferral(input: ReferralInput): Promise<Referral> {
    return this.request<Referral>('POST', '/api/v1/referrals', { body: input, status: 201 });
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: keyof paths,
    options: { query?: Record<string, string | number | boolean | undefined>; body?: unknown; status: number },
  ): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (this.accessToken) headers.authorization = `Bearer ${this.accessToken}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, { method, headers, body: options.body === undefined ? null : JSON.stringify(options.body) });
    if (response.status !== options.status) {
      const problem = (await response.json()) as Problem;
      const retryAfter = response.headers.get('retry-after');
      throw new ParcoursApiError(response.status, problem, retryAfter === null ? undefined : Number(retryAfter));
    }
    return (await response.json()) as T;
  }
}

/** The three calls in a row: log in, find a case file by name, refer it to a programme. */
export async function example(baseUrl: string, email: string, password: string, programmeId: string): Promise<Referral> {
  const api = new ParcoursClient(baseUrl);
  await api.login({ email, password });
  const page = await api.listBeneficiaries({ q: 'ndiaye', status: 'oriented', limit: 10 });
  const [first] = page.data;
  if (!first) throw new Error('no oriented case file matches');
  return api.createReferral({ beneficiaryId: first.id, programmeId, note: 'Disponible le matin.' });
}
