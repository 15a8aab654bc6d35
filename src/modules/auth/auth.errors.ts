import { AppException } from '../../common/errors/app.exception';

export const invalidCredentials = () => new AppException(401, 'INVALID_CREDENTIALS', 'The e-mail or the password is wrong.');
export const invalidRefreshToken = () => new AppException(401, 'INVALID_REFRESH_TOKEN', 'The refresh token is invalid, expired or already used.');
export const invalidClient = () =>
  new AppException(401, 'INVALID_CLIENT', 'Client authentication failed.', undefined, { 'www-authenticate': 'Basic realm="parcours"' }, {
    error: 'invalid_client',
  });
export const invalidScope = (scopes: string[]) =>
  new AppException(400, 'INVALID_SCOPE', `Scopes not granted to this client: ${scopes.join(' ')}.`, undefined, undefined, { error: 'invalid_scope' });
export const unsupportedGrantType = () =>
  new AppException(400, 'UNSUPPORTED_GRANT_TYPE', 'Only grant_type=client_credentials is supported.', [{ field: 'grant_type', message: 'must be client_credentials' }], undefined, {
    error: 'unsupported_grant_type',
  });
