import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/** The repository root: this file runs from dist/bench/lib/ (or from bench/lib/ in the tests). */
export const ROOT = resolve(__dirname, basename(resolve(__dirname, '..', '..')) === 'dist' ? '../../..' : '../..');

/** The real API, as `npm run start:prod` runs it. */
export const APP_SCRIPT = join(ROOT, 'dist', 'src', 'main.js');

/** The node flags of `npm start` (package.json, which the Dockerfile repeats): the app runs as deployed. */
export const APP_NODE_ARGS: string[] = (() => {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
  return start.slice(start.indexOf('node') + 1, start.indexOf('dist/src/main.js'));
})();

/** The plain Fastify + pg server the API is compared with. */
export const BASELINE_SCRIPT = join(ROOT, 'dist', 'bench', 'baseline-server.js');

export const RESULTS_FILE = join(ROOT, 'bench', 'results', 'latest.json');
