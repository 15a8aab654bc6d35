import { getMetadataStorage, IsInt, IsString, Length, Min, validateSync } from 'class-validator';
import { cacheValidationMetadata } from './metadata-cache';

class Base {
  @IsString()
  name!: unknown;
}

class Child extends Base {
  @IsInt()
  @Min(1, { groups: ['strict'] })
  count!: unknown;
}

class Other {
  @Length(2, 3)
  code!: unknown;
}

const errors = (object: object, groups?: string[]) =>
  validateSync(object, { groups, validationError: { target: false } }).map((e) => [e.property, Object.keys(e.constraints ?? {}).sort()]);

describe('cacheValidationMetadata', () => {
  const child = () => Object.assign(new Child(), { name: 1, count: 0 });
  const other = () => Object.assign(new Other(), { code: 'long' });
  const before = { child: errors(child()), strict: errors(child(), ['strict']), other: errors(other()) };

  it('gives the same errors as before: inherited rules, groups, other classes', () => {
    cacheValidationMetadata();
    cacheValidationMetadata();
    // Without groups, class-validator applies every rule, the grouped ones too.
    expect(before.child).toEqual([['count', ['min']], ['name', ['isString']]]);
    expect(errors(child())).toEqual(before.child);
    expect(errors(child(), ['strict'])).toEqual(before.strict);
    expect(before.strict).toEqual([['count', ['min']]]);
    expect(errors(other())).toEqual(before.other);
  });

  it('asks class-validator once per class and options', () => {
    // The scan of every decorated class that the cache spares (a private map of class-validator).
    const { validationMetadatas } = getMetadataStorage() as unknown as { validationMetadatas: Map<unknown, unknown> };
    const scan = jest.spyOn(validationMetadatas, 'entries');
    for (let i = 0; i < 5; i++) {
      errors(child());
      errors(child(), ['strict']);
    }
    expect(scan).not.toHaveBeenCalled();
    scan.mockRestore();
  });
});
