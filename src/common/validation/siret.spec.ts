import { isValidSiret } from './siret';

describe('isValidSiret', () => {
  it.each(['73282932000074', '35600000000010', '44306184100047'])('accepts %s', (siret) => {
    expect(isValidSiret(siret)).toBe(true);
  });

  it.each(['73282932000075', '1234567890123', '7328293200007A', '', '35600000000049'])('refuses %s', (siret) => {
    expect(isValidSiret(siret)).toBe(false);
  });
});
