import { jsonDepth, MAX_JSON_DEPTH, storableJson, wellFormed } from './fastify';

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

describe('storableJson', () => {
  const check = (text: string) => storableJson(text, JSON.parse(text));
  it('refuses a NUL or a lone surrogate, in a value or a key, and walks only texts with such an escape', () => {
    expect(check('{"a":["ok",{"b":"🏗️ é"}]}')).toBe(true);
    expect(check('{"a":["ok",{"b":"x\\u0000y"}]}')).toBe(false);
    expect(check('{"\\u0000":1}')).toBe(false);
    expect(check('{"a":"x\\ud800"}')).toBe(false);
    expect(check('{"a":"\\ud83c\\udfd7"}')).toBe(true);
    // An escaped backslash followed by the letters u0000 is no NUL.
    expect(check('{"a":"\\\\u0000"}')).toBe(true);
    expect(storableJson('{"a":"plain"}', { a: 'x\u0000' })).toBe(true);
  });
});
