import { AppException, ValidationFailedException } from '../../common/errors/app.exception';

export const beneficiaryNotFound = () => new AppException(404, 'BENEFICIARY_NOT_FOUND', 'The beneficiary was not found.');
export const filtersNotForProviders = (fields: readonly string[]) =>
  new AppException(
    403,
    'FORBIDDEN',
    'Providers find the people referred to their programmes by name, commune or orientation path only.',
    fields.map((field) => ({ field, message: 'not available to providers' })),
  );
export const notInCaseload = () =>
  new AppException(403, 'NOT_IN_CASELOAD', 'Advisors change only the people of their own caseload (or not yet assigned).');
export const versionMismatch = (current: number) =>
  new AppException(412, 'PRECONDITION_FAILED', 'The beneficiary changed since you read it: read it again and re-apply your change.', undefined, {
    etag: `"${current}"`,
  });
export const cafNumberTaken = () =>
  new AppException(409, 'CAF_NUMBER_TAKEN', 'A beneficiary with this CAF number and this birth date already exists.', [
    { field: 'cafNumber', message: 'already used by a person with the same birth date' },
  ]);
export const nirTaken = () => new AppException(409, 'NIR_TAKEN', 'A beneficiary already has this NIR.', [{ field: 'nir', message: 'already used' }]);
export const unknownCommune = () =>
  new AppException(422, 'UNKNOWN_COMMUNE', 'The commune is not an active commune of the département.', [{ field: 'communeCode', message: 'unknown or inactive commune' }]);
export const outsideAgencyTerritory = () =>
  new AppException(422, 'OUTSIDE_AGENCY_TERRITORY', 'The commune is served by another agency: that agency registers the person.', [
    { field: 'communeCode', message: 'served by another agency' },
  ]);
export const invalidAdvisor = () =>
  new AppException(422, 'INVALID_ADVISOR', 'The advisor must be an active advisor of the person\'s agency.', [{ field: 'advisorId', message: 'not an active advisor of this agency' }]);
export const alreadyExited = () => new AppException(422, 'ALREADY_EXITED', 'The person has already exited the scheme.');
export const notExited = () => new AppException(422, 'NOT_EXITED', 'The person has not exited the scheme.');
export const exitedCase = () => new AppException(422, 'CASE_EXITED', 'The person has exited the scheme: re-enter them first.');
export const exitBeforeEntry = () =>
  new AppException(422, 'EXIT_BEFORE_ORIENTATION', 'The exit date is before the current orientation.', [{ field: 'exitedOn', message: 'before the orientation' }]);
export const orientationBeforeCurrent = () =>
  new AppException(422, 'ORIENTATION_BEFORE_CURRENT', 'The decision date is before the orientation in force.', [{ field: 'decidedOn', message: 'before the current orientation' }]);
export const reorientationPending = () =>
  new AppException(409, 'REORIENTATION_PENDING', 'A reorientation request is already waiting for a decision.');
export const reorientationNotFound = () => new AppException(404, 'REORIENTATION_REQUEST_NOT_FOUND', 'The reorientation request was not found.');
export const reorientationDecided = () => new AppException(422, 'REORIENTATION_ALREADY_DECIDED', 'The request has already been decided.');
export const denialNeedsReason = () =>
  new AppException(400, 'VALIDATION_FAILED', 'A denial must give its reason.', [{ field: 'reason', message: 'reason is required to deny' }]);
export const notOriented = () => new AppException(422, 'NOT_ORIENTED', 'The person has no orientation yet: orient them first.');
export const contractNotFound = () => new AppException(404, 'CONTRACT_NOT_FOUND', 'The contract was not found.');
export const contractAlreadyOpen = () =>
  new AppException(409, 'CONTRACT_ALREADY_OPEN', 'The person already has a draft or signed contract: end it first.');
export const contractNotDraft = () => new AppException(422, 'CONTRACT_NOT_DRAFT', 'Only a draft contract can be changed or signed.');
export const contractNotSigned = () => new AppException(422, 'CONTRACT_NOT_SIGNED', 'Only a signed contract can be ended.');
export const contractDates = () =>
  new AppException(422, 'CONTRACT_DATES', 'The contract ends before it starts.', [{ field: 'endsOn', message: 'before startsOn' }]);
export const vulnerableOnSocialPathOnly = () =>
  new ValidationFailedException([{ field: 'vulnerable', message: 'only with the social path' }], 'A listed situation of vulnerability delays the review of the social path only.');
