import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';

/** `?separator=semicolon` for spreadsheets set to French conventions; a comma by default. */
export class CsvQueryDto {
  @ApiPropertyOptional({ enum: ['comma', 'semicolon'], default: 'comma', description: 'Field separator of the CSV rendering (`Accept: text/csv`).' })
  @IsOptional()
  @IsIn(['comma', 'semicolon'])
  separator?: 'comma' | 'semicolon';
}

/** Whether the caller asked for CSV (`Accept: text/csv`). */
export function wantsCsv(accept: string | undefined): boolean {
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(accept ?? '');
}

/** Nested objects as dotted column names: `{ byStatus: { exited: 3 } }` → `{ "byStatus.exited": 3 }`. */
export function flatten(value: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, name));
    else out[name] = Array.isArray(v) ? v.join(' ') : v;
  }
  return out;
}

/**
 * RFC 4180 CSV (CRLF, quoted when needed) in UTF-8 with a byte order mark, so that
 * spreadsheets open accents right; one column per dotted field of the rows.
 */
export function toCsv(rows: Record<string, unknown>[], separator: CsvQueryDto['separator'] = 'comma'): string {
  const flat = rows.map((r) => flatten(r));
  const columns = [...new Set(flat.flatMap((r) => Object.keys(r)))];
  return stringify(flat, {
    header: true,
    columns,
    bom: true,
    delimiter: separator === 'semicolon' ? ';' : ',',
    record_delimiter: 'windows',
    cast: { boolean: (b) => (b ? 'true' : 'false') },
  });
}

/** Sends `rows` as a CSV attachment named `name`.csv. */
export function sendCsv(reply: FastifyReply, name: string, rows: Record<string, unknown>[], separator?: CsvQueryDto['separator']): string {
  void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`);
  return toCsv(rows, separator);
}

/** A 200 documented as `type` in JSON, or as CSV text with `Accept: text/csv`. */
export function ApiJsonOrCsvResponse(type: Type<unknown>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(type),
    ApiOkResponse({
      description: 'JSON, or CSV with `Accept: text/csv`.',
      content: {
        'application/json': { schema: { $ref: getSchemaPath(type) } },
        'text/csv': { schema: { type: 'string', description: 'RFC 4180, UTF-8 with a byte order mark; one column per dotted field.' } },
      },
    }),
  );
}
