import { CaseStatus, OrientationPath } from './beneficiary.enums';
import { addDays, addMonths, CaseFacts, computeDeadlines, deriveStatus, searchKeyOf, sortKeyOf } from './case-rules';

const settings = { orientationDays: 42, contractDays: 30, socialReviewMonths: 6, vulnerableReviewMonths: 12 };
const facts = (f: Partial<CaseFacts>): CaseFacts => ({
  exited: false,
  rightsOpenedOn: null,
  orientedOn: null,
  orientationPath: null,
  contractSignedOn: null,
  ...f,
});

describe('case rules', () => {
  it('derives the status from the facts', () => {
    expect(deriveStatus(facts({}))).toBe(CaseStatus.ToOrient);
    expect(deriveStatus(facts({ orientedOn: '2026-01-10' }))).toBe(CaseStatus.Oriented);
    expect(deriveStatus(facts({ orientedOn: '2026-01-10', contractSignedOn: '2026-02-01' }))).toBe(CaseStatus.InPathway);
    expect(deriveStatus(facts({ orientedOn: '2026-01-10', exited: true }))).toBe(CaseStatus.Exited);
    // A step under way puts the person in the pathway before any contract; an exit still wins.
    expect(deriveStatus(facts({ orientedOn: '2026-01-10', activeStep: true }))).toBe(CaseStatus.InPathway);
    expect(deriveStatus(facts({ activeStep: true }))).toBe(CaseStatus.InPathway);
    expect(deriveStatus(facts({ orientedOn: '2026-01-10', activeStep: false }))).toBe(CaseStatus.Oriented);
    expect(deriveStatus(facts({ activeStep: true, exited: true }))).toBe(CaseStatus.Exited);
  });

  it('gives 42 days to orient from the opening of rights', () => {
    expect(computeDeadlines(facts({ rightsOpenedOn: '2026-01-01' }), settings)).toEqual({
      orientationDueOn: '2026-02-12',
      contractDueOn: null,
      reviewDueOn: null,
      nextDueOn: '2026-02-12',
    });
  });

  it('gives 30 days to sign after the orientation, and reviews the social path at 6 months', () => {
    const d = computeDeadlines(facts({ rightsOpenedOn: '2026-01-01', orientedOn: '2026-01-20', orientationPath: OrientationPath.Social }), settings);
    expect(d).toEqual({ orientationDueOn: null, contractDueOn: '2026-02-19', reviewDueOn: '2026-07-20', nextDueOn: '2026-02-19' });
    const signed = computeDeadlines(
      facts({ orientedOn: '2026-01-20', orientationPath: OrientationPath.Social, contractSignedOn: '2026-02-01' }),
      settings,
    );
    expect(signed.nextDueOn).toBe('2026-07-20');
  });

  it('reviews a listed vulnerability on the social path at 12 months, and only on that path', () => {
    const social = { orientedOn: '2026-01-20', orientationPath: OrientationPath.Social, contractSignedOn: '2026-02-01', vulnerable: true };
    expect(computeDeadlines(facts(social), settings)).toMatchObject({ reviewDueOn: '2027-01-20', nextDueOn: '2027-01-20' });
    expect(computeDeadlines(facts({ ...social, orientationPath: OrientationPath.Professional }), settings).reviewDueOn).toBeNull();
  });

  it('gives 30 days for a new contract after one ended', () => {
    const d = computeDeadlines(facts({ orientedOn: '2025-01-10', contractEndedOn: '2026-06-30' }), settings);
    expect(d.contractDueOn).toBe('2026-07-30');
  });

  it('normalises names for search', () => {
    expect(searchKeyOf("N'Diaye", 'Aïssatou', null)).toBe('NDIAYE AISSATOU');
    expect(searchKeyOf('Lefèvre', 'Élodie', 'Jean-Pierre')).toBe('LEFEVRE ELODIE JEAN PIERRE');
  });

  it('has nothing due once exited', () => {
    expect(computeDeadlines(facts({ rightsOpenedOn: '2026-01-01', exited: true }), settings).nextDueOn).toBeNull();
  });

  it('does calendar arithmetic', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
    expect(addMonths('2026-01-15', 12)).toBe('2027-01-15');
  });

  it('sorts names without accents or case', () => {
    expect(sortKeyOf('Élodie ', 'Zoé')).toBe('ELODIE ZOE');
    expect(sortKeyOf("N'Diaye", 'Aïssatou')).toBe("N'DIAYE AISSATOU");
  });
});
