import { AppException } from '../../common/errors/app.exception';

export const referralNotFound = () => new AppException(404, 'REFERRAL_NOT_FOUND', 'The referral was not found.');
export const referralProgrammeNotFound = () =>
  new AppException(404, 'PROGRAMME_NOT_FOUND', 'The programme was not found.', [{ field: 'programmeId', message: 'unknown programme' }]);
export const notEligible = (reason: string) => new AppException(422, 'NOT_ELIGIBLE', `The person cannot be referred to this programme: ${reason}.`);
export const referralAlreadyOpen = () =>
  new AppException(409, 'REFERRAL_ALREADY_OPEN', 'The person already has an open referral to this programme.');
export const invalidTransition = (from: string, action: string) =>
  new AppException(422, 'INVALID_REFERRAL_TRANSITION', `A ${from} referral does not allow "${action}".`);
export const placeCapacityReached = () => new AppException(409, 'PLACE_CAPACITY_REACHED', 'The programme has no free place.');
export const declineNeedsReason = () =>
  new AppException(400, 'VALIDATION_FAILED', 'A decline must give its reason.', [{ field: 'reason', message: 'reason is required to decline' }]);
