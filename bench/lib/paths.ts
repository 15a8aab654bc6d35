import { join, resolve } from 'node:path';

/** The repository root: this file runs from dist/bench/lib/. */
export const ROOT = resolve(__dirname, '..', '..', '..');

/** The real API, as `npm run start:prod` runs it. */
export const APP_SCRIPT = join(ROOT, 'dist', 'src', 'main.js');

/** The plain Fastify + pg server the API is compared with. */
export const BASELINE_SCRIPT = join(ROOT, 'dist', 'bench', 'baseline-server.js');

export const RESULTS_FILE = join(ROOT, 'bench', 'results', 'latest.json');
