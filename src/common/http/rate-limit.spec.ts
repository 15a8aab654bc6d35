import { FixedWindowCounter } from './rate-limit';

describe('FixedWindowCounter', () => {
  it('counts per key within a window and starts again at the next one', () => {
    const counter = new FixedWindowCounter({ max: 3, windowSeconds: 60 });
    const t0 = 1_800_000_000_000; // a multiple of 60 s
    expect(counter.hit('a', t0)).toEqual({ count: 1, resetSeconds: 60 });
    expect(counter.hit('a', t0 + 1500)).toEqual({ count: 2, resetSeconds: 59 });
    expect(counter.hit('b', t0 + 1500).count).toBe(1);
    expect(counter.hit('a', t0 + 59_999)).toEqual({ count: 3, resetSeconds: 1 });
    expect(counter.hit('a', t0 + 60_000)).toEqual({ count: 1, resetSeconds: 60 });
    expect(counter.hit('b', t0 + 60_001).count).toBe(1);
  });
});
