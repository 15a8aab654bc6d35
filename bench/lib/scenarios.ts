import { staffBearer } from './auth';

/** What a scenario's `prepare` hook may use. */
export interface PrepareContext {
  /** The running app, e.g. http://127.0.0.1:41234 */
  appUrl: string;
  /** Its database (migrated, shared with the baseline), to seed data directly. */
  databaseUrl: string;
}

export interface Goal {
  /** Least app/baseline ratio of requests per second. */
  minRatio: number;
  /** Highest p99 latency of the app, in ms. */
  maxP99Ms: number;
}

export interface Scenario {
  name: string;
  /** Path and query of the GET request sent by every connection. */
  path: string;
  headers?: Record<string, string>;
  /**
   * Runs once against the running app before the scenario is measured: create
   * data, log in. The headers returned (e.g. `Authorization: Bearer …`) are added
   * to every request, to the app and to the baseline alike (the baseline checks
   * the same access tokens, signed with the same secret).
   */
  prepare?: (context: PrepareContext) => Promise<Record<string, string> | void>;
  /** What the app must achieve at 32 connections. */
  goal?: Goal;
}

/** The baseline server (bench/baseline-server.ts) must answer every path listed here. */
export const SCENARIOS: Scenario[] = [
  { name: 'health/ready', path: '/health/ready' },
  { name: 'communes list', path: '/api/v1/communes?limit=25', prepare: staffBearer, goal: { minRatio: 0.85, maxP99Ms: 50 } },
];
