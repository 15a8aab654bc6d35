import { randomBytes } from 'node:crypto';
import { FieldEncryption } from './field-encryption';

describe('FieldEncryption', () => {
  const crypto = new FieldEncryption(randomBytes(32), randomBytes(32));

  it('round-trips and never stores the plain value', () => {
    const stored = crypto.encrypt('185079306612345');
    expect(stored).not.toContain('185079306612345');
    expect(stored.startsWith('v1.')).toBe(true);
    expect(crypto.decrypt(stored)).toBe('185079306612345');
    expect(crypto.encrypt('185079306612345')).not.toBe(stored);
  });

  it('never reuses an IV, across draws from the generator', () => {
    const ivs = Array.from({ length: 3000 }, () => crypto.encrypt('185079306612345').split('.')[1]);
    expect(new Set(ivs).size).toBe(3000);
    expect(Buffer.from(ivs[0], 'base64url')).toHaveLength(12);
    expect(ivs.every((iv) => iv.length === ivs[0].length)).toBe(true);
  });

  it('hashes deterministically with its key only', () => {
    expect(crypto.hash('x')).toBe(crypto.hash('x'));
    expect(new FieldEncryption(randomBytes(32), randomBytes(32)).hash('x')).not.toBe(crypto.hash('x'));
  });

  it('refuses a tampered value', () => {
    const stored = crypto.encrypt('185079306612345');
    const parts = stored.split('.');
    parts[3] = Buffer.from('000000000000000').toString('base64url');
    expect(() => crypto.decrypt(parts.join('.'))).toThrow();
  });
});
