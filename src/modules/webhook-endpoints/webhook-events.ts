/**
 * The events a webhook endpoint may subscribe to: the contract's list (api.md)
 * and the other types the code writes to the outbox, each with an example of its `data`.
 * Payloads are `{ type, timestamp, data }`; `data` holds ids, states and dates only.
 */
export const OUTBOUND_EVENTS = {
  'beneficiary.created': { summary: 'A case was opened.', data: { beneficiaryId: 'uuid', agencyId: 'uuid|null', status: 'to_orient' } },
  'beneficiary.oriented': {
    summary: 'An orientation was decided (here, or by France Travail).',
    data: { beneficiaryId: 'uuid', path: 'professional', referentBody: 'france_travail', decidedOn: '2026-11-05', previousReferentBody: 'departement|null' },
  },
  'beneficiary.assigned': { summary: 'An advisor was assigned to the case.', data: { beneficiaryId: 'uuid', advisorId: 'uuid' } },
  'beneficiary.exited': { summary: 'The person left the scheme.', data: { beneficiaryId: 'uuid', reason: 'employment', exitedOn: '2026-11-30' } },
  'contract.signed': { summary: "A contrat d'engagement was signed.", data: { contractId: 'uuid', beneficiaryId: 'uuid', signedOn: '2026-11-20' } },
  'referral.submitted': {
    summary: 'A referral was submitted (or waitlisted: `status` says which; also sent when promoted from the waiting list).',
    data: { referralId: 'uuid', programmeId: 'uuid', beneficiaryId: 'uuid', status: 'submitted' },
  },
  'referral.accepted': { summary: 'The provider accepted the referral: a place is held.', data: { referralId: 'uuid', programmeId: 'uuid', beneficiaryId: 'uuid', status: 'accepted' } },
  'referral.declined': { summary: 'The provider declined the referral.', data: { referralId: 'uuid', programmeId: 'uuid', beneficiaryId: 'uuid', status: 'declined' } },
  'referral.started': { summary: 'The person started the programme.', data: { referralId: 'uuid', programmeId: 'uuid', beneficiaryId: 'uuid', status: 'in_progress' } },
  'referral.completed': { summary: 'The person completed the programme.', data: { referralId: 'uuid', programmeId: 'uuid', beneficiaryId: 'uuid', status: 'completed' } },
  'referral.abandoned': { summary: 'The person left the programme before its end.', data: { referralId: 'uuid', programmeId: 'uuid', beneficiaryId: 'uuid', status: 'abandoned' } },
  'referral.cancelled': { summary: 'The prescriber withdrew the referral.', data: { referralId: 'uuid', programmeId: 'uuid', beneficiaryId: 'uuid', status: 'cancelled' } },
  'referral.expired': { summary: 'The referral got no answer within 30 days (REFERRAL_EXPIRY_DAYS).', data: { referralId: 'uuid', programmeId: 'uuid', beneficiaryId: 'uuid', status: 'expired' } },
  'referral.reminder': { summary: 'A submitted referral has had no answer for 10 days (REFERRAL_REMINDER_DAYS).', data: { referralId: 'uuid', programmeId: 'uuid', submittedAt: '2026-11-20T08:00:00Z' } },
  'place.freed': {
    summary: 'Places of a programme became free (a release or a capacity raise); waitlisted referrals were promoted in order.',
    data: { programmeId: 'uuid', placesHeld: 11, capacity: 12, placesFreed: 1, promotedCount: 0, promotedReferralId: 'uuid|null' },
  },
  'participant.enrolled': {
    summary: 'A beneficiary joined the construction pathway cohort.',
    data: { participantId: 'uuid', beneficiaryId: 'uuid', enrolledOn: '2026-11-02', sourcingChannel: 'france_travail', advisorId: 'uuid|null' },
  },
  'participant.step_changed': {
    summary: "A participant's step was planned, or changed status.",
    data: {
      participantId: 'uuid',
      beneficiaryId: 'uuid',
      stepId: 'uuid',
      stage: 'site_immersion',
      status: 'in_progress',
      previousStatus: 'planned|null',
      startsOn: '2026-11-16',
      endsOn: '2026-11-27|null',
      currentStage: 'site_immersion|null',
    },
  },
  'participant.employed': {
    summary: 'A participant was hired.',
    data: {
      participantId: 'uuid',
      beneficiaryId: 'uuid',
      employmentId: 'uuid',
      stepId: 'uuid',
      contractType: 'cdi',
      startedOn: '2026-12-01',
      endsOn: '2027-05-31|null',
      lasting: true,
      operationId: 'uuid|null',
      source: 'staff',
    },
  },
  'participant.without_solution': {
    summary: 'A participant has had no active or planned step for 30 days (PATHWAY_WITHOUT_SOLUTION_DAYS).',
    data: { participantId: 'uuid', beneficiaryId: 'uuid', agencyId: 'uuid|null', since: '2026-10-31', daysWithoutSolution: 31 },
  },
} as const;

export type OutboundEventType = keyof typeof OUTBOUND_EVENTS;
export const OUTBOUND_EVENT_TYPES = Object.keys(OUTBOUND_EVENTS) as OutboundEventType[];

/** The test event of POST /webhook-endpoints/{id}/test. Not subscribable: every endpoint may receive it. */
export const PING_EVENT = 'ping';

/** Keys that never leave in a payload, whatever an outbox writer put in `data`. */
const PERSONAL_KEY = /name|nir|email|phone|address|note|comment|health|birth|text|description|summary/i;

/** `{ type, timestamp, data }` of an outbox event: the resource id first, then its primitive, non-personal data. */
export function buildPayload(event: { type: string; resourceType: string; resourceId: string; data: Record<string, unknown>; occurredAt: Date }): Record<string, unknown> {
  const idKey = `${event.resourceType.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())}Id`;
  const data: Record<string, unknown> = { [idKey]: event.resourceId };
  for (const [key, value] of Object.entries(event.data ?? {})) {
    if (PERSONAL_KEY.test(key)) continue;
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) data[key] = value;
  }
  return { type: event.type, timestamp: event.occurredAt.toISOString(), data };
}

type Schema = Record<string, unknown>;

/** A property schema from an example value of the catalogue ('uuid', 'uuid|null', a date, a number...). */
function schemaOf(example: unknown): Schema {
  if (typeof example === 'number') return { type: 'integer', example };
  if (typeof example === 'boolean') return { type: 'boolean', example };
  const text = String(example);
  const nullable = text.endsWith('|null');
  const value = nullable ? text.slice(0, -5) : text;
  const base: Schema =
    value === 'uuid'
      ? { type: 'string', format: 'uuid' }
      : /^\d{4}-\d{2}-\d{2}$/.test(value)
        ? { type: 'string', format: 'date', example: value }
        : /^\d{4}-\d{2}-\d{2}T/.test(value)
          ? { type: 'string', format: 'date-time', example: value }
          : { type: 'string', example: value };
  return nullable ? { ...base, nullable: true } : base;
}

/** The OpenAPI schema of an event type's payload: `referral.accepted` → `WebhookEvent_ReferralAccepted`. */
export const webhookEventSchemaName = (type: string): string =>
  `WebhookEvent_${type.replace(/[._]([a-z])/g, (_m, c: string) => c.toUpperCase()).replace(/^[a-z]/, (c) => c.toUpperCase())}`;

/**
 * The outbound events for the OpenAPI document: one schema per type in
 * `components.schemas` and an `x-webhooks` entry (OpenAPI 3.0 has no `webhooks`
 * section; 3.1 readers and Redoc understand this extension).
 */
export function outboundWebhooksOpenApi(): { schemas: Record<string, Schema>; webhooks: Record<string, Schema> } {
  const schemas: Record<string, Schema> = {};
  const webhooks: Record<string, Schema> = {};
  const all = { ...OUTBOUND_EVENTS, [PING_EVENT]: { summary: 'Test event sent by POST /webhook-endpoints/{id}/test.', data: { endpointId: 'uuid' } } };
  for (const [type, event] of Object.entries(all)) {
    const name = webhookEventSchemaName(type);
    schemas[name] = {
      type: 'object',
      required: ['type', 'timestamp', 'data'],
      description: event.summary,
      properties: {
        type: { type: 'string', enum: [type] },
        timestamp: { type: 'string', format: 'date-time', description: 'When the event happened.' },
        data: {
          type: 'object',
          required: Object.keys(event.data),
          properties: Object.fromEntries(Object.entries(event.data).map(([k, v]) => [k, schemaOf(v)])),
        },
      },
    };
    webhooks[type] = {
      post: {
        operationId: `webhook_${type.replace(/\./g, '_')}`,
        summary: event.summary,
        description:
          'Sent to the endpoints subscribed to this type, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). ' +
          'Answer 2xx within 10 s; anything else is retried (docs/webhooks.md); 410 disables the endpoint.',
        tags: ['webhooks'],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } },
        responses: { '2XX': { description: 'Received.' }, '410': { description: 'Gone: the endpoint is disabled.' } },
      },
    };
  }
  return { schemas, webhooks };
}
