import { AppException } from '../../common/errors/app.exception';
import { FieldError } from '../../common/errors/problem';

export const webhooksNotConfigured = () =>
  new AppException(503, 'WEBHOOKS_NOT_CONFIGURED', 'Inbound France Travail webhooks are not configured on this server (FRANCE_TRAVAIL_WEBHOOK_SECRET).');
export const signatureMissing = () =>
  new AppException(401, 'WEBHOOK_SIGNATURE_MISSING', 'The webhook-id, webhook-timestamp and webhook-signature headers are required.');
export const timestampOutOfTolerance = () =>
  new AppException(401, 'WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE', 'webhook-timestamp is not a Unix time within 5 minutes of ours.');
export const signatureInvalid = () => new AppException(401, 'WEBHOOK_SIGNATURE_INVALID', 'No signature in webhook-signature matches the body with our secrets.');
export const webhookIdInvalid = () =>
  new AppException(400, 'VALIDATION_FAILED', 'webhook-id must be 1 to 200 printable characters.', [{ field: 'webhook-id', message: 'invalid webhook-id' }]);
export const payloadRejected = (detail: string, errors: FieldError[]) => new AppException(400, 'WEBHOOK_PAYLOAD_INVALID', detail, errors);
export const inboxEntryNotFound = () => new AppException(404, 'INBOX_ENTRY_NOT_FOUND', 'The inbox entry was not found.');
export const notReprocessable = (status: string) =>
  new AppException(409, 'INBOX_ENTRY_NOT_REPROCESSABLE', `A ${status} entry cannot be reprocessed: only unmatched and failed ones can.`);
export const unsupportedMediaType = () =>
  new AppException(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the event as application/json: the signature is checked over the raw body.');
