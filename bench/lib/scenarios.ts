import { BENCH_ADMIN, BENCH_MANAGER, bearerHeaders, Credentials, staffBearer } from './auth';
import { httpRequest } from './http';

/** What a scenario's `prepare` hook may use. */
export interface PrepareContext {
  /** The running app, e.g. http://127.0.0.1:41234 */
  appUrl: string;
  /** Its database (migrated, generated data, shared with the baseline), to seed data directly. */
  databaseUrl: string;
}

/** What a `prepare` hook returns. */
export interface Prepared {
  /** Added to every request, to the app and to the baseline alike. */
  headers?: Record<string, string>;
  /** Replaces the scenario's `path`, e.g. with a cursor read from a first page. */
  path?: string;
}

export interface Goal {
  /** Least app/baseline ratio of requests per second. */
  minRatio: number;
  /** Highest p99 latency of the app, in ms. */
  maxP99Ms: number;
}

export interface Scenario {
  name: string;
  /** Path and query of the GET request sent by every connection (unless `prepare` gives another). */
  path: string;
  headers?: Record<string, string>;
  /**
   * Runs once against the running app before the scenario is measured: create
   * data, log in, read a first page. The headers returned (e.g. `Authorization: Bearer …`)
   * and the path are used for every request, to the app and to the baseline alike
   * (the baseline checks the same access tokens, signed with the same secret).
   */
  prepare?: (context: PrepareContext) => Promise<Prepared | void>;
  /** What the app must achieve at 32 connections. */
  goal?: Goal;
}

const BENEFICIARIES = '/api/v1/beneficiaries';

/**
 * The second page of a list, as `account`: reads the first page from the app and
 * returns the path of the next one (its `page.nextCursor`), with the account's token.
 */
function secondPage(firstPage: string, account: Credentials): Scenario['prepare'] {
  return async ({ appUrl }) => {
    const headers = await bearerHeaders(appUrl, account);
    const res = await httpRequest(`${appUrl}${firstPage}`, { headers });
    if (res.status !== 200) throw new Error(`GET ${firstPage} as ${account.email}: ${res.status} ${res.body}`);
    const { page } = JSON.parse(res.body) as { page: { nextCursor: string | null } };
    if (!page.nextCursor) throw new Error(`GET ${firstPage} as ${account.email}: no next page (is the data generated?)`);
    return { headers, path: `${firstPage}&cursor=${page.nextCursor}` };
  };
}

/** The baseline server (bench/baseline-server.ts) must answer every path listed here. */
export const SCENARIOS: Scenario[] = [
  { name: 'health/ready', path: '/health/ready' },
  { name: 'communes list', path: '/api/v1/communes?limit=25', prepare: staffBearer, goal: { minRatio: 0.85, maxP99Ms: 50 } },
  {
    // An agency manager sees the cases of their agency: the scope is the agency filter.
    name: 'beneficiaries list (agency filter + cursor)',
    path: `${BENEFICIARIES}?limit=25&status=oriented&cursor=…`,
    prepare: secondPage(`${BENEFICIARIES}?limit=25&status=oriented`, BENCH_MANAGER),
    goal: { minRatio: 0.85, maxP99Ms: 50 },
  },
  {
    name: 'beneficiaries search q=martin',
    path: `${BENEFICIARIES}?q=martin&limit=25`,
    prepare: async ({ appUrl }) => ({ headers: await bearerHeaders(appUrl, BENCH_ADMIN) }),
  },
];
