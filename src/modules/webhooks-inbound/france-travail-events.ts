import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { FieldError } from '../../common/errors/problem';
import { flattenValidationErrors } from '../../common/errors/validation-errors';
import { storableJson } from '../../common/http/fastify';
import { FRANCE_TRAVAIL_DATA, FRANCE_TRAVAIL_EVENT_TYPES, FranceTravailEventType, FranceTravailPersonDto } from './dto/france-travail-event.dto';

export interface FranceTravailEvent {
  type: FranceTravailEventType;
  timestamp: string;
  data: FranceTravailPersonDto & Record<string, unknown>;
}

export type ParsedEvent = { ok: true; event: FranceTravailEvent } | { ok: false; detail: string; errors: FieldError[] };

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const rejected = (detail: string, errors: FieldError[]): ParsedEvent => ({ ok: false, detail, errors });

/**
 * The body of a France Travail event `{ type, timestamp, data }`, checked
 * against the schema of its type (unknown fields are dropped). Anything else
 * is a rejection with the faulty fields.
 */
export function parseFranceTravailEvent(raw: Buffer | string | undefined): ParsedEvent {
  const text = typeof raw === 'string' ? raw : (raw?.toString('utf8') ?? '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return rejected('The body is not valid JSON.', [{ field: 'body', message: 'invalid JSON' }]);
  }
  if (!isObject(body)) return rejected('The body must be a JSON object { type, timestamp, data }.', [{ field: 'body', message: 'must be an object' }]);
  // PostgreSQL's text and jsonb hold neither NUL nor a lone surrogate: such an event cannot be stored as received.
  if (!storableJson(text, body)) {
    return rejected('The body contains a NUL character or a lone surrogate escape.', [{ field: 'body', message: 'invalid Unicode' }]);
  }
  const errors: FieldError[] = [];
  const type = body.type;
  if (typeof type !== 'string' || !(FRANCE_TRAVAIL_EVENT_TYPES as readonly string[]).includes(type)) {
    errors.push({ field: 'type', message: `type must be one of ${FRANCE_TRAVAIL_EVENT_TYPES.join(', ')}` });
  }
  if (typeof body.timestamp !== 'string' || !ISO_DATE_TIME.test(body.timestamp) || Number.isNaN(Date.parse(body.timestamp))) {
    errors.push({ field: 'timestamp', message: 'timestamp must be an ISO 8601 date-time' });
  }
  if (!isObject(body.data)) errors.push({ field: 'data', message: 'data must be an object' });
  if (errors.length) return rejected('The event does not follow the schema: see `errors`.', errors);

  const eventType = type as FranceTravailEventType;
  const data = plainToInstance(FRANCE_TRAVAIL_DATA[eventType], body.data);
  const dataErrors = flattenValidationErrors(validateSync(data, { whitelist: true, forbidUnknownValues: true }), 'data');
  const person = data as FranceTravailPersonDto;
  if (!person.franceTravailId && !(person.nir && person.birthDate) && !(person.cafNumber && person.birthDate)) {
    dataErrors.push({ field: 'data', message: 'the person needs franceTravailId, or nir and birthDate, or cafNumber and birthDate' });
  }
  if (eventType === 'jobseeker.registered' && !person.franceTravailId) {
    dataErrors.push({ field: 'data.franceTravailId', message: 'franceTravailId is required for jobseeker.registered' });
  }
  if (dataErrors.length) return rejected(`The ${eventType} event does not follow its schema: see \`errors\`.`, dataErrors);
  return { ok: true, event: { type: eventType, timestamp: body.timestamp as string, data: { ...data } as FranceTravailEvent['data'] } };
}
