import { AppException } from '../../common/errors/app.exception';

export const importNotFound = () => new AppException(404, 'IMPORT_NOT_FOUND', 'The import was not found.');
export const fileMissing = () =>
  new AppException(400, 'VALIDATION_FAILED', 'Send the file as multipart/form-data in the field `file`.', [{ field: 'file', message: 'a file is required' }]);
export const fileEmpty = () => new AppException(400, 'VALIDATION_FAILED', 'The file is empty.', [{ field: 'file', message: 'empty file' }]);
export const importNotRetryable = () => new AppException(422, 'IMPORT_NOT_RETRYABLE', 'Only a failed import can be run again.');
