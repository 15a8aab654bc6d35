import { isValidNir, nirKey, normalizeNir } from './nir';

describe('NIR', () => {
  it('accepts a NIR with the right key, spaced or not', () => {
    const base = '1850793066123';
    const nir = `${base}${nirKey(base)}`;
    expect(isValidNir(nir)).toBe(true);
    expect(isValidNir(`1 85 07 93 066 123 ${nirKey(base)}`)).toBe(true);
    expect(normalizeNir('1 85 07 93 066 123 45')).toBe('185079306612345');
  });

  it('computes the key of Corsican NIRs with 2A = 19 and 2B = 18', () => {
    // 2A: 2 85 07 2A 004 123 → 2850719004123 mod 97
    const corsica = '285072A004123';
    const key = 97 - Number(BigInt('2850719004123') % 97n);
    expect(nirKey(corsica)).toBe(String(key).padStart(2, '0'));
    expect(isValidNir(`${corsica}${nirKey(corsica)}`)).toBe(true);
    const haute = '185072B050001';
    expect(isValidNir(`${haute}${nirKey(haute)}`)).toBe(true);
    expect(nirKey(haute)).not.toBe(nirKey('185072A050001'));
  });

  it.each(['185079306612300', '18507930661234', '985079306612345', '1850793066123AB', ''])('refuses %s', (nir) => {
    expect(isValidNir(nir)).toBe(false);
  });
});
