import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { env } from '../config/configuration';
import { resolveDatabase } from '../database/database-bootstrap';
import { redactUrl } from '../database/embedded-postgres';
import { runMigrations } from '../database/migrate';

const USAGE = `usage: npm run migration:<command>
  migration:run                 apply pending migrations (under the advisory lock)
  migration:revert              revert the last migration
  migration:generate -- <Name>  write migrations/<timestamp>-<Name>.ts from the entity changes
  migration:check               fail when the entities differ from the migrated schema`;

/**
 * Database commands on DATABASE_URL, or on the embedded server under .data/
 * (stop the app first: one server per data directory).
 */
async function main(): Promise<number> {
  const [command, name] = process.argv.slice(2);
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  const database = await resolveDatabase(env(), (m) => console.error(m));
  console.error(`database: ${redactUrl(database.url)}`);
  try {
    const migrate = () => runMigrations(database.url, (m) => console.log(m));
    const typeorm = (args: string[]) =>
      spawnSync(process.execPath, [require.resolve('typeorm/cli.js'), ...args, '-d', join(__dirname, '..', 'database', 'data-source.js')], {
        stdio: 'inherit',
        env: { ...process.env, DATABASE_URL: database.url },
      }).status ?? 1;
    switch (command) {
      case 'migration:run':
        await migrate();
        return 0;
      case 'migration:revert':
        return typeorm(['migration:revert']);
      case 'migration:check':
        await migrate();
        return typeorm(['migration:generate', '--check', join('migrations', 'Check')]);
      case 'migration:generate':
        if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
          console.error('give the migration a PascalCase name: npm run migration:generate -- AddBeneficiaries');
          return 2;
        }
        await migrate();
        return typeorm(['migration:generate', '--pretty', join('migrations', name)]);
      default:
        console.error(USAGE);
        return 2;
    }
  } finally {
    await database.embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
