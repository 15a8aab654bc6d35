import { AppException, ValidationFailedException } from '../../common/errors/app.exception';

export const participantNotFound = () => new AppException(404, 'PARTICIPANT_NOT_FOUND', 'The participant was not found.');
export const alreadyEnrolled = () => new AppException(409, 'PARTICIPANT_ALREADY_ENROLLED', 'The person is already enrolled in the construction pathway.');
export const unknownTrades = (field: string, codes: string[]) =>
  new ValidationFailedException(
    codes.map((code) => ({ field, message: `${code} is not a ROME code of the construction pathway (GET /construction-pathway/trades)` })),
    'Unknown ROME code: see `errors`.',
  );
export const participantExited = () => new AppException(422, 'PARTICIPANT_EXITED', 'The participant has left the pathway.');
export const alreadyExited = () => new AppException(422, 'PARTICIPANT_ALREADY_EXITED', 'The participant has already left the pathway.');
export const exitBeforeEnrolment = () =>
  new AppException(422, 'EXIT_BEFORE_ENROLMENT', 'The exit date is before the enrolment.', [{ field: 'exitedOn', message: 'before enrolledOn' }]);
export const participantVersionMismatch = (current: number) =>
  new AppException(412, 'PRECONDITION_FAILED', 'The participant changed since you read it: read it again and re-apply your change.', undefined, { etag: `"${current}"` });
export const stepNotFound = () => new AppException(404, 'STEP_NOT_FOUND', 'The step was not found.');
export const invalidStepTransition = (from: string, to: string) =>
  new AppException(422, 'INVALID_STEP_TRANSITION', `A ${from} step cannot become ${to}.`, [{ field: 'status', message: `not allowed from ${from}` }]);
export const stepFollowsReferral = () =>
  new AppException(422, 'STEP_FOLLOWS_REFERRAL', 'The step follows its referral: change the referral (accept, start, complete…) instead.', [
    { field: 'status', message: 'set by the referral' },
  ]);
export const stepFollowsEmployment = () =>
  new AppException(422, 'STEP_FOLLOWS_EMPLOYMENT', 'The step is the one of an employment: change the employment instead.');
export const stepDates = () => new AppException(422, 'STEP_DATES', 'The step ends before it starts.', [{ field: 'endsOn', message: 'before startsOn' }]);
export const unknownReferral = () =>
  new AppException(422, 'UNKNOWN_REFERRAL', 'The referral is not one of this person.', [{ field: 'referralId', message: 'not a referral of the participant' }]);
export const referralAlreadyLinked = () => new AppException(409, 'REFERRAL_ALREADY_LINKED', 'A step is already made from this referral.');
export const programmeAndReferral = () =>
  new AppException(400, 'VALIDATION_FAILED', 'A step made from a referral takes the referral\'s programme.', [{ field: 'programmeId', message: 'not allowed with referralId' }]);
export const unknownProgramme = () =>
  new AppException(422, 'UNKNOWN_PROGRAMME', 'The programme does not exist.', [{ field: 'programmeId', message: 'unknown programme' }]);
export const unknownOperation = () =>
  new AppException(422, 'UNKNOWN_OPERATION', 'The operation does not exist.', [{ field: 'operationId', message: 'unknown operation' }]);
export const employmentNotFound = () => new AppException(404, 'EMPLOYMENT_NOT_FOUND', 'The employment was not found.');
export const employmentDates = () =>
  new AppException(422, 'EMPLOYMENT_DATES', 'The employment ends before it starts.', [{ field: 'endsOn', message: 'before startsOn' }]);
export const invalidEmployment = (field: string, message: string) => new AppException(422, 'INVALID_EMPLOYMENT', `The employment is not valid: ${message}.`, [{ field, message }]);
export const followUpNotFound = () => new AppException(404, 'FOLLOW_UP_NOT_FOUND', 'No follow-up is due at this month: 1, 3 or 6.');
export const followUpTooEarly = () =>
  new AppException(422, 'FOLLOW_UP_BEFORE_HIRING', 'The contact is before the start of the job.', [{ field: 'contactedOn', message: 'before the employment starts' }]);
export const operationNotFound = () => new AppException(404, 'OPERATION_NOT_FOUND', 'The operation was not found.');
export const unknownCommune = () =>
  new AppException(422, 'UNKNOWN_COMMUNE', 'The commune is not a commune of the département.', [{ field: 'communeCode', message: 'unknown commune' }]);
export const hoursMonthInFuture = () =>
  new AppException(422, 'HOURS_MONTH_IN_FUTURE', 'Hours can be recorded up to the current month.', [{ field: 'month', message: 'after the current month' }]);
export const hoursBeforeEnrolment = () =>
  new AppException(422, 'HOURS_BEFORE_ENROLMENT', 'The month is before the participant\'s enrolment.', [{ field: 'month', message: 'before the enrolment month' }]);
export const hoursParticipantNotFound = () =>
  new AppException(422, 'UNKNOWN_PARTICIPANT', 'The participant is not one you can see.', [{ field: 'participantId', message: 'unknown participant' }]);
export const invalidPeriod = () => new AppException(400, 'VALIDATION_FAILED', 'The period ends before it starts.', [{ field: 'to', message: 'before from' }]);
/** Out of scope = not found: agency staff see their own agency's figures only. */
export const agencyNotFound = () => new AppException(404, 'AGENCY_NOT_FOUND', 'The agency was not found.');
export const invalidCursor = () => new AppException(400, 'INVALID_CURSOR', 'The cursor is not one this list produced.', [{ field: 'cursor', message: 'invalid cursor' }]);
