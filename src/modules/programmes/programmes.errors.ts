import { AppException } from '../../common/errors/app.exception';

export const programmeNotFound = () => new AppException(404, 'PROGRAMME_NOT_FOUND', 'The programme was not found.');
export const programmeCodeTaken = () =>
  new AppException(409, 'PROGRAMME_CODE_TAKEN', 'Another programme has this code.', [{ field: 'code', message: 'already used' }]);
export const unknownProvider = () =>
  new AppException(422, 'UNKNOWN_PROVIDER', 'The provider does not exist.', [{ field: 'providerId', message: 'unknown provider' }]);
export const unknownCommune = () =>
  new AppException(422, 'UNKNOWN_COMMUNE', 'The commune is not a commune of the département.', [{ field: 'communeCode', message: 'unknown commune' }]);
export const programmeDates = () =>
  new AppException(422, 'PROGRAMME_DATES', 'The programme ends before it starts.', [{ field: 'endsOn', message: 'before startsOn' }]);
export const capacityBelowHeld = (held?: number) =>
  new AppException(422, 'CAPACITY_BELOW_HELD', `The capacity cannot go below the ${held ?? ''} places already held.`.replace('  ', ' '), [
    { field: 'capacity', message: 'below the places held' },
  ]);
export const providerFieldsOnly = (fields: string[]) =>
  new AppException(403, 'PROVIDER_FIELDS_ONLY', 'Provider staff change only the description and the capacity of their programmes.', fields.map((field) => ({ field, message: 'not changeable by provider staff' })));
export const programmeVersionMismatch = (current: number) =>
  new AppException(412, 'PRECONDITION_FAILED', 'The programme changed since you read it: read it again and re-apply your change.', undefined, {
    etag: `"${current}"`,
  });
