import { AppException } from '../../common/errors/app.exception';
import { FieldError } from '../../common/errors/problem';

export const suspensionNotFound = () => new AppException(404, 'SUSPENSION_NOT_FOUND', 'The suspension procedure was not found.');
export const suspensionAlreadyOpen = () =>
  new AppException(409, 'SUSPENSION_ALREADY_OPEN', 'The person already has an open suspension procedure: decide it first.');
export const notSubjectToObligations = () =>
  new AppException(422, 'NOT_SUBJECT_TO_OBLIGATIONS', 'The person is not subject to rights and duties, or their right is not open (CAF state 2, 3 or 4): no suspension procedure applies.');
export const suspensionNotOpen = (status: string) =>
  new AppException(422, 'INVALID_SUSPENSION_TRANSITION', `The procedure is ${status}: it is no longer open to a decision.`);
export const suspensionNotLiftable = (why: string) => new AppException(422, 'INVALID_SUSPENSION_TRANSITION', `Only a decided suspension still running can be lifted: ${why}.`);
export const suspensionTerms = (errors: FieldError[]) =>
  new AppException(422, 'SUSPENSION_TERMS', 'The terms of the decision are outside what the rules allow: see `errors`.', errors);
export const suspensionDates = (field: string, message: string) =>
  new AppException(422, 'SUSPENSION_DATES', `The dates of the procedure do not follow each other: ${field} ${message}.`, [{ field, message }]);
