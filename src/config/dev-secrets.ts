import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DevSecrets {
  jwtAccessSecret: string;
  jwtRefreshSecret: string;
  embeddedPostgresPassword: string;
  nirEncryptionKey: string;
  nirHashKey: string;
}

/**
 * Outside production, secrets that were not configured are generated once and
 * kept in `<dataDir>/secrets.json` (mode 0600), so tokens survive restarts.
 */
export function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, 'secrets.json');
  let stored: Partial<DevSecrets> = {};
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>;
  } catch {
    stored = {};
  }
  const secrets: DevSecrets = {
    jwtAccessSecret: stored.jwtAccessSecret ?? randomBytes(48).toString('base64url'),
    jwtRefreshSecret: stored.jwtRefreshSecret ?? randomBytes(48).toString('base64url'),
    embeddedPostgresPassword: stored.embeddedPostgresPassword ?? randomBytes(24).toString('base64url'),
    nirEncryptionKey: stored.nirEncryptionKey ?? randomBytes(32).toString('base64'),
    nirHashKey: stored.nirHashKey ?? randomBytes(32).toString('base64'),
  };
  if ((Object.keys(secrets) as (keyof DevSecrets)[]).some((key) => stored[key] === undefined)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}
