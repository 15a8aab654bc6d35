import { getMetadataStorage } from 'class-validator';

type Lookup = ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas'];

let cached = false;

/**
 * Keeps class-validator's answer to "which rules apply to this class" after the first time.
 *
 * class-validator finds a class's inherited rules by testing every decorated class of the process
 * with `instanceof`, at each validation (typestack/class-validator#2686): with this API's few
 * hundred DTOs, that scan was the largest single cost of validating a request. Rules are
 * registered as classes load, before any instance of them can be validated, and a class loaded
 * later never adds rules to an earlier one, so the answer per class and options never changes.
 * Called once per process (later calls do nothing).
 */
export function cacheValidationMetadata(): void {
  if (cached) return;
  cached = true;
  const storage = getMetadataStorage();
  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const byTarget = new WeakMap<object, Map<string, ReturnType<Lookup>>>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    let answers = byTarget.get(target);
    if (!answers) byTarget.set(target, (answers = new Map()));
    const key = JSON.stringify([schema, always, strictGroups, groups ?? null]);
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = lookup(target, schema, always, strictGroups, groups)));
    return answer;
  };
}
