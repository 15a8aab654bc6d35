import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_NODE_ARGS } from '../../bench/lib/paths';

const ROOT = join(__dirname, '..', '..');

/** `npm start`, `npm run start:prod`, the Docker image and the benchmark start the app with the same node flags. */
describe('deployment: how the app is started', () => {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const command = ['node', ...APP_NODE_ARGS, 'dist/src/main.js'];

  it('gives node a young generation of 32 MiB semi-spaces (docs/BENCHMARKS.md)', () => {
    expect(APP_NODE_ARGS).toEqual(['--max-semi-space-size=32']);
  });

  it('runs the same command from npm start, start:prod and the Dockerfile', () => {
    expect(scripts.start).toBe(command.join(' '));
    expect(scripts['start:prod']).toBe(command.join(' '));
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
    expect(JSON.parse(cmd![1])).toEqual(command);
  });
});
