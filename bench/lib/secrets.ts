import { randomBytes } from 'node:crypto';

/** A random URL-safe string of `length` characters (48 by default). */
export function randomSecret(length = 48): string {
  return randomBytes(Math.ceil((length * 3) / 4)).toString('base64url').slice(0, length);
}
