import { AppException } from '../../common/errors/app.exception';

export const providerNotFound = () => new AppException(404, 'PROVIDER_NOT_FOUND', 'The provider was not found.');
export const siretTaken = () =>
  new AppException(409, 'SIRET_TAKEN', 'Another provider has this SIRET.', [{ field: 'siret', message: 'already used' }]);
export const unknownCommune = () =>
  new AppException(422, 'UNKNOWN_COMMUNE', 'The commune is not a commune of the département.', [{ field: 'communeCode', message: 'unknown commune' }]);
