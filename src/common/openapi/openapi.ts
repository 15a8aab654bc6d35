import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { RATE_LIMIT_HEADERS, UNLIMITED_PATHS } from '../http/rate-limit';
import { outboundWebhooksOpenApi } from '../../modules/webhook-endpoints/webhook-events';
import { FieldErrorDto, ProblemDto } from './problem.dto';

const DESCRIPTION = `Parcours is the case-management backend of the insertion pathways of people receiving the
RSA in a French département: beneficiaries and their orientation, contrats d'engagement,
barriers and action plans, programmes and their places, referrals, the construction-sector
pathway "Bâtissons nos emplois", and webhooks with France Travail.

Every error is an RFC 9457 \`application/problem+json\` document with a stable \`code\` and the
request's \`correlationId\` (also sent back as \`X-Request-Id\`). Lists are cursor-paginated:
\`?limit=\` (1-100, default 25) and \`?cursor=\` from \`page.nextCursor\`.`;

/** What the access tokens are; each point is checked by JwtStrategy and AuthService. */
const JWT_DESCRIPTION = `Access token from \`POST /api/v1/auth/login\` (staff) or \`POST /api/v1/auth/token\` (machine clients),
sent as \`Authorization: Bearer <token>\`. The tokens follow the JWT best current practices of RFC8725: a JWS signed
with HS256 only (the algorithm is pinned when verifying: \`alg: none\` and any other algorithm are refused), issuer
\`parcours\` and audience \`parcours-api\` checked (refresh tokens have their own audience and secret and are refused
here), short-lived (\`expiresIn\` seconds, \`exp\` always checked), with an explicit \`typ\` claim (user or client).`;

const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'Bad input (problem+json; `errors` lists each field).',
  '401': 'No valid access token.',
  '403': 'The caller\'s role may not do this.',
  '404': 'Not found, or outside the caller\'s scope.',
  '500': 'Unexpected error (generic problem; details only in the server log).',
  '503': 'A dependency (the database) is unavailable; retry later.',
};

/** What every /api/ response says about the per-address rate limit (see common/http/rate-limit.ts). */
const RATE_LIMIT_RESPONSE_HEADERS = {
  [RATE_LIMIT_HEADERS.limit]: {
    description: 'Requests allowed from this client address in the current window (`RATE_LIMIT_MAX`).',
    schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 1_000_000_000 },
  },
  [RATE_LIMIT_HEADERS.remaining]: {
    description: 'Requests left in the current window.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000_000 },
  },
  [RATE_LIMIT_HEADERS.reset]: {
    description: 'Seconds until the window resets.',
    schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 86_400 },
  },
};
const RETRY_AFTER_HEADER = {
  description: 'Seconds to wait before retrying.',
  schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 86_400 },
};
const RATE_LIMITED_DESCRIPTION =
  'TOO_MANY_REQUESTS: more requests from this address than `RATE_LIMIT_MAX` in the window (per instance); see `Retry-After`.';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/** The OpenAPI document of the app, as served at /docs/openapi.json and committed in openapi/. */
export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Parcours API')
    .setDescription(DESCRIPTION)
    .setVersion(version)
    .setLicense('AGPL-3.0-or-later', 'https://www.gnu.org/licenses/agpl-3.0.html')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: JWT_DESCRIPTION }, 'bearer')
    .addTag('auth', 'Staff login, token rotation, and the OAuth2 client credentials grant for machines')
    .addTag('users', 'Staff accounts')
    .addTag('beneficiaries', 'Case files of RSA beneficiaries: creation, search, assignment, exit and re-entry')
    .addTag('orientation', 'Orientation decisions and reorientation requests')
    .addTag('contracts', "Contrats d'engagement")
    .addTag('barriers', 'Barriers to employment identified for a beneficiary')
    .addTag('action plan', 'Focuses, targets and actions of a beneficiary\'s action plan')
    .addTag('journal', 'Follow-up notes of a case file')
    .addTag('suspensions', 'Suspension procedures: a failure to meet the obligations of the RSA, the decision, its lifting')
    .addTag('personal data', 'GDPR: export of a person\'s data and retention')
    .addTag('beneficiary imports', 'Imports of beneficiaries: CSV and the CAF beneficiary XML file')
    .addTag('api clients', 'Machine clients (France Travail connector, agency front-end back ends)')
    .addTag('agencies', "Agences Locales d'Insertion and the communes they serve")
    .addTag('advisors', 'Advisors and their caseload capacity')
    .addTag('providers', 'Structures running insertion programmes')
    .addTag('programmes', 'Insertion programmes, their places and occupancy')
    .addTag('referrals', 'Referrals of beneficiaries to programmes and their lifecycle')
    .addTag('construction pathway', 'The construction-sector pathway "Bâtissons nos emplois": operations, participants, steps, employments, hours')
    .addTag('reports', 'Indicators and monthly snapshots, JSON or CSV')
    .addTag('reference data', 'Communes of the département and other reference lists')
    .addTag('webhooks', 'France Travail events in (signed, no token), webhook endpoints and deliveries out; outbound event schemas in `x-webhooks`')
    .addTag('audit', 'Who read or changed what')
    .addTag('health', 'Liveness and readiness probes')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDto, FieldErrorDto],
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
  addProblemResponses(document);
  addRateLimitHeaders(document);
  boundUuidStrings(document);
  const outbound = outboundWebhooksOpenApi();
  Object.assign(document.components!.schemas!, outbound.schemas);
  (document as OpenAPIObject & { 'x-webhooks'?: unknown })['x-webhooks'] = outbound.webhooks;
  return document;
}

/** Every operation documents the problem+json errors it can return. */
export function addProblemResponses(document: OpenAPIObject): void {
  const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      describeAccess(operation as { description?: string; 'x-access'?: { roles: string[]; scopes: string[] } });
      const codes = new Set(['500']);
      const hasInput = (operation.parameters?.length ?? 0) > 0 || operation.requestBody !== undefined;
      if (hasInput) codes.add('400');
      if (path.includes('{')) codes.add('404');
      if (operation.security?.length) codes.add('401');
      if (path.startsWith('/api/')) codes.add('503');
      for (const [code, response] of Object.entries(operation.responses)) {
        if (Number(code) >= 400 && response && !('$ref' in response)) response.content = problem;
      }
      for (const code of codes) {
        operation.responses[code] ??= { description: ERROR_DESCRIPTIONS[code], content: problem };
      }
    }
  }
}

/**
 * Every /api/ response carries the `RateLimit-*` headers, and every /api/
 * operation may answer 429 with `Retry-After` (registerRateLimit sends them
 * before routing; the credential endpoints have stricter limits of their own),
 * except the signed France Travail webhook, which is not limited per address.
 */
export function addRateLimitHeaders(document: OpenAPIObject): void {
  document.components ??= {};
  document.components.headers = {
    ...document.components.headers,
    ...RATE_LIMIT_RESPONSE_HEADERS,
    'Retry-After': RETRY_AFTER_HEADER,
  } as NonNullable<OpenAPIObject['components']>['headers'];
  const rateLimitRefs = Object.fromEntries(Object.keys(RATE_LIMIT_RESPONSE_HEADERS).map((name) => [name, { $ref: `#/components/headers/${name}` }]));
  const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } };
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/') || UNLIMITED_PATHS.includes(path)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      operation.responses['429'] ??= { description: RATE_LIMITED_DESCRIPTION, content: problem };
      for (const [code, response] of Object.entries(operation.responses)) {
        if (!response || '$ref' in response || !/^[24]/.test(code)) continue;
        response.headers = { ...rateLimitRefs, ...response.headers };
        if (code === '429') response.headers['Retry-After'] = { $ref: '#/components/headers/Retry-After' };
      }
    }
  }
}

/**
 * A `format: uuid` string is at most 36 characters: every such request value is
 * checked by IsUUID or ParseUUIDPipe (IdParam), which accept nothing longer, and
 * every such response value is a PostgreSQL uuid.
 */
export function boundUuidStrings(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) boundUuidStrings(item);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Record<string, unknown>;
  if (schema.type === 'string' && schema.format === 'uuid' && schema.maxLength === undefined) schema.maxLength = 36;
  for (const value of Object.values(schema)) boundUuidStrings(value);
}

/** Writes the route's access rule (from @Access) into its description, for readers of Swagger UI. */
function describeAccess(operation: { description?: string; 'x-access'?: { roles: string[]; scopes: string[] } }): void {
  const access = operation['x-access'];
  if (!access) return;
  const roles = access.roles.length ? access.roles.map((r) => `\`${r}\``).join(', ') : 'none';
  const scopes = access.scopes.length ? access.scopes.map((s) => `\`${s}\``).join(', ') : 'none';
  const line = `**Access**: staff roles ${roles}; machine clients with scope ${scopes}.`;
  operation.description = operation.description ? `${operation.description}\n\n${line}` : line;
}

/** Operation ids that appear more than once (each must be unique). */
export function duplicateOperationIds(document: OpenAPIObject): string[] {
  const seen = new Map<string, number>();
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const id = item[method]?.operationId;
      if (id) seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  }
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}

/** Stable JSON: object keys sorted recursively, so that diffs show API changes only. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function serializeOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}
