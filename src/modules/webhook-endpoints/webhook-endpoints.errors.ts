import { AppException } from '../../common/errors/app.exception';
import { UrlProblem } from './url-guard';

export const endpointNotFound = () => new AppException(404, 'WEBHOOK_ENDPOINT_NOT_FOUND', 'The webhook endpoint was not found.');
export const deliveryNotFound = () => new AppException(404, 'WEBHOOK_DELIVERY_NOT_FOUND', 'The delivery was not found.');

const URL_MESSAGES: Record<UrlProblem, string> = {
  scheme: 'url must be an http or https URL',
  credentials: 'url must not carry a user name or password',
  private: 'url must not point to a loopback, private or link-local address',
  unresolvable: 'the host name of url does not resolve',
};
export const urlRefused = (problem: UrlProblem) =>
  new AppException(400, 'VALIDATION_FAILED', 'The URL cannot receive webhooks: see `errors`.', [{ field: 'url', message: URL_MESSAGES[problem] }]);
export const endpointDisabled = () => new AppException(409, 'WEBHOOK_ENDPOINT_DISABLED', 'The endpoint is disabled: enable it first.');
export const deliveryInProgress = () => new AppException(409, 'WEBHOOK_DELIVERY_IN_PROGRESS', 'The delivery is being sent right now.');
