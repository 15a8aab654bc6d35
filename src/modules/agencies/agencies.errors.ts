import { AppException } from '../../common/errors/app.exception';

export const agencyNotFound = () => new AppException(404, 'AGENCY_NOT_FOUND', 'The agency was not found.');

export const unknownCommunes = (codes: string[]) =>
  new AppException(422, 'UNKNOWN_COMMUNE', `Not active communes of the département: ${codes.join(', ')}.`, [
    { field: 'communeCodes', message: `unknown or inactive: ${codes.join(', ')}` },
  ]);

export const communesAlreadyServed = (codes: string[]) =>
  new AppException(409, 'COMMUNE_ALREADY_SERVED', `Already served by another active agency: ${codes.join(', ')}.`, [
    { field: 'communeCodes', message: `already served: ${codes.join(', ')}` },
  ]);

export const agencyCodeTaken = () =>
  new AppException(409, 'AGENCY_CODE_TAKEN', 'Another agency has this code.', [{ field: 'code', message: 'already used' }]);
