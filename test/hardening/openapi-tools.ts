import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';

/** The committed OpenAPI document and helpers to walk it and check responses against it. */

type Json = Record<string, unknown>;

export interface Operation {
  key: string;
  method: string;
  path: string;
  op: Json & {
    parameters?: { name: string; in: string; required?: boolean; schema?: Json }[];
    requestBody?: { required?: boolean; content: Record<string, { schema: Json }> };
    responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
    'x-access'?: { roles: string[]; scopes: string[] };
  };
}

export const spec = JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation['op']>>;
  components: { schemas: Record<string, Json> };
};

export function operations(): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      out.push({ key: `${method.toUpperCase()} ${path}`, method, path, op });
    }
  }
  return out;
}

/** A schema of the spec resolved through one `$ref`. */
export function resolve(schema: Json | undefined): Json | undefined {
  if (!schema) return undefined;
  const ref = schema.$ref as string | undefined;
  return ref ? spec.components.schemas[ref.split('/').pop()!] : schema;
}

/** OpenAPI 3.0 → JSON Schema: `nullable: true` becomes "or null"; refs point into the spec document; objects are closed. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === 'example' || k === 'examples' || k === 'nullable') continue;
    out[k] = k === '$ref' ? `openapi.json${v as string}` : toJsonSchema(v);
  }
  // Strict: a documented object has only its documented properties (an undocumented field in a response is a mismatch).
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  if ((node as Json).nullable === true) return { anyOf: [out, { type: 'null' }] };
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi.json', components: { schemas: toJsonSchema(spec.components.schemas) } });
const validators = new Map<string, ValidateFunction | null>();

export interface SchemaCheck {
  checked: boolean;
  errors?: string;
}

/**
 * Checks a response against the schema documented for its status. CSV and
 * other non-JSON bodies are skipped; an undocumented status is a mismatch.
 */
export function checkResponse(operation: Operation, res: request.Response): SchemaCheck {
  const documented = operation.op.responses[String(res.status)];
  if (!documented) return { checked: true, errors: `status ${res.status} is not documented` };
  const type = String(res.headers['content-type'] ?? '');
  const content = documented.content ?? {};
  if (!type) return { checked: Object.keys(content).length === 0, errors: Object.keys(content).length && res.status !== 204 ? 'no content-type' : undefined };
  if (type.startsWith('text/csv')) return { checked: false };
  const media = Object.keys(content).find((m) => type.startsWith(m)) ?? (type.startsWith('application/problem+json') ? Object.keys(content).find((m) => m.endsWith('json')) : undefined);
  if (!media) return { checked: true, errors: `content-type ${type} is not documented for ${res.status} (${Object.keys(content).join(', ') || 'no body'})` };
  const schema = content[media].schema;
  if (!schema) return { checked: false };
  const id = `${operation.key} ${res.status} ${media}`;
  if (!validators.has(id)) validators.set(id, ajv.compile(toJsonSchema(schema) as Json));
  const validate = validators.get(id)!;
  if (validate(res.body)) return { checked: true };
  return { checked: true, errors: (validate.errors ?? []).map((e) => `body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`).join('; ') };
}

/** Checks a value against a named schema of the spec's components (strict: no undocumented property). */
export function checkSchema(name: string, value: unknown): string | undefined {
  const schema = spec.components.schemas[name];
  if (!schema) return `no schema ${name} in openapi.json`;
  const id = `#/components/schemas/${name}`;
  if (!validators.has(id)) validators.set(id, ajv.compile(toJsonSchema(schema) as Json));
  const validate = validators.get(id)!;
  if (validate(value)) return undefined;
  return (validate.errors ?? []).map((e) => `${name}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`).join('; ');
}

/** RFC 9457 problem shape shared by every error (see src/common/openapi/problem.dto.ts). */
export function problemShapeErrors(res: request.Response): string | undefined {
  const errors: string[] = [];
  if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) errors.push(`content-type ${res.headers['content-type']}`);
  const b = res.body as Json;
  if (!b || typeof b !== 'object') return [...errors, 'no body'].join('; ');
  if (b.status !== res.status) errors.push(`status ${String(b.status)}`);
  if (typeof b.type !== 'string' || !b.type.startsWith('urn:parcours:problem:')) errors.push(`type ${String(b.type)}`);
  for (const f of ['title', 'detail', 'code', 'correlationId']) if (typeof b[f] !== 'string') errors.push(`${f} missing`);
  if (b.correlationId !== res.headers['x-request-id']) errors.push('correlationId differs from X-Request-Id');
  if (b.errors !== undefined && !(Array.isArray(b.errors) && b.errors.every((e: Json) => typeof e.field === 'string' && typeof e.message === 'string'))) errors.push('errors malformed');
  return errors.length ? errors.join('; ') : undefined;
}

/** Fills `{name}` placeholders of a spec path. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (params[name] === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(params[name]);
  });
}

/** Statuses any route may get from the HTTP layer before its handler, which the operations do not list. */
export const HTTP_LAYER_STATUSES = [414, 415];

/**
 * Records a status the operation does not document; returns an error for one
 * that is not an HTTP-layer status (a business error missing from the contract).
 */
export const undocumented = new Map<string, Set<string>>();
export function noteStatus(operation: Operation, res: request.Response): string | undefined {
  if (operation.op.responses[String(res.status)]) return undefined;
  if (!undocumented.has(operation.key)) undocumented.set(operation.key, new Set());
  const seen = `${res.status} ${(res.body as { code?: string })?.code ?? ''}`.trim();
  undocumented.get(operation.key)!.add(seen);
  return HTTP_LAYER_STATUSES.includes(res.status) ? undefined : `status ${seen} is not documented by the operation`;
}
export function undocumentedReport(): string {
  return [...undocumented.entries()].map(([k, v]) => `${k}: ${[...v].sort().join(', ')}`).sort().join('\n');
}
