/**
 * Optimistic concurrency: whether `If-Match` (absent, `*`, or a list of ETags
 * `"<version>"`, weak ones accepted) lets a change apply to this version.
 */
export function ifMatchAllows(ifMatch: string | undefined, version: number): boolean {
  if (ifMatch === undefined || ifMatch.trim() === '*') return true;
  return ifMatch
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .includes(`"${version}"`);
}
