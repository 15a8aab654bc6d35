import { AppException } from '../../common/errors/app.exception';

export const barrierNotFound = () => new AppException(404, 'BARRIER_NOT_FOUND', 'The barrier was not found.');
export const barrierAlreadyOpen = () =>
  new AppException(409, 'BARRIER_ALREADY_OPEN', 'The person already has an unresolved barrier on this theme: change or resolve it.', [
    { field: 'theme', message: 'an unresolved barrier on this theme exists' },
  ]);
export const barrierResolved = () => new AppException(422, 'BARRIER_RESOLVED', 'The barrier is resolved: it can no longer change.');
export const barrierDates = () =>
  new AppException(422, 'BARRIER_DATES', 'The barrier is resolved before it was identified.', [{ field: 'resolvedOn', message: 'before identifiedOn' }]);
export const sensitiveThemeNotAllowed = () =>
  new AppException(403, 'SENSITIVE_DATA_NOT_ALLOWED', "Health data is recorded only by admins and the person's agency staff.");
export const focusNotFound = () => new AppException(404, 'FOCUS_NOT_FOUND', 'The action plan focus was not found.');
export const focusAlreadyExists = () =>
  new AppException(409, 'FOCUS_ALREADY_EXISTS', 'The action plan already has a focus on this theme.', [{ field: 'theme', message: 'already in the plan' }]);
export const targetNotFound = () => new AppException(404, 'TARGET_NOT_FOUND', 'The action plan target was not found.');
export const actionNotFound = () => new AppException(404, 'ACTION_NOT_FOUND', 'The action was not found.');
export const actionClosed = (status: string) =>
  new AppException(422, 'INVALID_ACTION_TRANSITION', `The action is ${status}: it can no longer change.`, [{ field: 'status', message: `${status} is final` }]);
export const invalidActionTransition = (from: string, to: string) =>
  new AppException(422, 'INVALID_ACTION_TRANSITION', `An action cannot go from ${from} to ${to}.`, [{ field: 'status', message: `not allowed from ${from}` }]);
