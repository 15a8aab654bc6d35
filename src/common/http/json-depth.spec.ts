import { jsonDepth, MAX_JSON_DEPTH, wellFormed } from './fastify';

describe('jsonDepth', () => {
  it('counts the nesting of arrays and objects, not brackets inside strings', () => {
    expect(jsonDepth('12')).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(jsonDepth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(jsonDepth('{"a":"\\\\\\"[[["}')).toBe(1);
    expect(jsonDepth('['.repeat(5000) + ']'.repeat(5000))).toBe(5000);
    expect(MAX_JSON_DEPTH).toBeGreaterThanOrEqual(32);
  });
});

describe('wellFormed', () => {
  it('finds lone surrogates in strings and keys, at any depth', () => {
    expect(wellFormed({ a: ['ok', { b: '🏗️ é' }] })).toBe(true);
    expect(wellFormed({ a: ['ok', { b: 'x\ud800' }] })).toBe(false);
    expect(wellFormed({ ['\udc00']: 1 })).toBe(false);
    expect(wellFormed('\ud83c\udfd7')).toBe(true);
    expect(wellFormed(12)).toBe(true);
  });
});
