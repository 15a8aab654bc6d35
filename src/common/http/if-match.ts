import { ApiHeaderOptions } from '@nestjs/swagger';
import { ValidationFailedException } from '../errors/app.exception';

/** Longest `If-Match` looked at (a list of a few dozen ETags); longer: 400 VALIDATION_FAILED. */
export const IF_MATCH_MAX_LENGTH = 1024;

/** The OpenAPI description of the optional `If-Match` header of a PATCH. */
export const IF_MATCH_HEADER: ApiHeaderOptions = {
  name: 'If-Match',
  required: false,
  description: 'The ETag of the version being changed.',
  schema: { type: 'string', maxLength: IF_MATCH_MAX_LENGTH },
};

/**
 * Optimistic concurrency: whether `If-Match` (absent, `*`, or a list of ETags
 * `"<version>"`, weak ones accepted) lets a change apply to this version.
 */
export function ifMatchAllows(ifMatch: string | undefined, version: number): boolean {
  if (ifMatch !== undefined && ifMatch.length > IF_MATCH_MAX_LENGTH) {
    throw new ValidationFailedException([{ field: 'If-Match', message: `If-Match must be at most ${IF_MATCH_MAX_LENGTH} characters` }]);
  }
  if (ifMatch === undefined || ifMatch.trim() === '*') return true;
  return ifMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .includes(`"${version}"`);
}
