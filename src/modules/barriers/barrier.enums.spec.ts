import { BarrierTheme, FRANCE_TRAVAIL_CONSTRAINT_THEMES, themeData, themeLabel } from './barrier.enums';

describe('barrier themes', () => {
  it('maps France Travail constraint codes 23–29 to themes (domain.md §3)', () => {
    expect(FRANCE_TRAVAIL_CONSTRAINT_THEMES).toEqual({
      '23': BarrierTheme.Mobility,
      '24': BarrierTheme.ChildcareFamily,
      '25': BarrierTheme.Health,
      '26': BarrierTheme.Language,
      '27': BarrierTheme.Housing,
      '28': BarrierTheme.Financial,
      '29': BarrierTheme.Administrative,
    });
    expect(Object.isFrozen(FRANCE_TRAVAIL_CONSTRAINT_THEMES)).toBe(true);
  });

  it('names the theme in timeline lines, except health', () => {
    expect(themeLabel('Barrier identified', BarrierTheme.Mobility)).toBe('Barrier identified: mobility');
    expect(themeLabel('Barrier identified', BarrierTheme.Health)).toBe('Barrier identified');
    expect(themeData(BarrierTheme.Housing)).toEqual({ theme: 'housing' });
    expect(themeData(BarrierTheme.Health)).toEqual({});
  });
});
