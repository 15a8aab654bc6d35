import { AppException } from '../../common/errors/app.exception';

export const userNotFound = () => new AppException(404, 'USER_NOT_FOUND', 'The user was not found.');
export const emailTaken = () =>
  new AppException(409, 'EMAIL_TAKEN', 'An account already uses this e-mail.', [{ field: 'email', message: 'already used' }]);
export const weakPassword = (why: string) =>
  new AppException(400, 'WEAK_PASSWORD', `The password ${why}.`, [{ field: 'password', message: `password ${why}` }]);
export const invalidAttachment = (field: string, message: string) =>
  new AppException(422, 'INVALID_ATTACHMENT', message, [{ field, message }]);
export const managerMayOnlyManageAdvisors = () =>
  new AppException(403, 'FORBIDDEN', 'An agency manager may only manage the advisors of their own agency.');
export const ownAccountLimited = () =>
  new AppException(403, 'FORBIDDEN', 'On your own account you may change only your names and your password.');
export const lastAdmin = () =>
  new AppException(422, 'LAST_ADMIN', 'This is the last active admin: create another admin first.');
