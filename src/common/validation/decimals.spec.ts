import { decimalPlaces } from './decimals';

describe('decimalPlaces', () => {
  it('counts the decimals of plain and exponent-notation numbers', () => {
    expect(decimalPlaces(35)).toBe(0);
    expect(decimalPlaces(35.5)).toBe(1);
    expect(decimalPlaces(1200)).toBe(0);
    expect(decimalPlaces(0.25)).toBe(2);
    expect(decimalPlaces(1e21)).toBe(0);
    expect(decimalPlaces(1e-7)).toBe(7);
    expect(decimalPlaces(2e-323)).toBe(323);
    expect(decimalPlaces(-12.5)).toBe(1);
  });
});
