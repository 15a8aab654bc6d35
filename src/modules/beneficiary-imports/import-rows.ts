import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { flattenValidationErrors } from '../../common/errors/validation-errors';
import { cacheValidationMetadata } from '../../common/validation/metadata-cache';
import { CreateBeneficiaryDto } from '../beneficiaries/dto/beneficiary.dto';
import { ImportError } from './entities/beneficiary-import.entity';
import { RawRecord } from './import-parsers';

const BOOLEANS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, oui: true, non: false, yes: true, no: false };

export type ValidRow = { line: number; input: CreateBeneficiaryDto };

/**
 * Validates records with the very rules of `POST /beneficiaries`
 * (CreateBeneficiaryDto); a bad record becomes one error per field and never
 * stops the others. A person (CAF number and birth date) or a NIR seen earlier in the same file is refused.
 * Records pass through one at a time (`validRows`): only the keys seen so far are kept.
 */
export class RowValidator {
  /** Records read, valid or not. */
  records = 0;
  readonly errors: ImportError[] = [];
  private readonly seenCaf = new Map<string, number>();
  private readonly seenNir = new Map<string, number>();

  constructor() {
    cacheValidationMetadata();
  }

  /** The valid rows among `records`, in order; the others land in `errors`. */
  async *validRows(records: AsyncIterable<RawRecord> | Iterable<RawRecord>): AsyncGenerator<ValidRow> {
    for await (const record of records) {
      const row = this.check(record);
      if (row) yield row;
    }
  }

  /** One record: its valid row, or null with its errors recorded. */
  check(record: RawRecord): ValidRow | null {
    this.records += 1;
    const plain: Record<string, unknown> = { ...record.fields };
    for (const key of ['subjectToRightsAndDuties', 'noFixedAddress']) {
      if (typeof plain[key] === 'string') {
        const b = BOOLEANS[(plain[key] as string).toLowerCase()];
        if (b !== undefined) plain[key] = b;
      }
    }
    const input = plainToInstance(CreateBeneficiaryDto, plain);
    const problems = flattenValidationErrors(validateSync(input, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } }));
    if (problems.length > 0) {
      for (const p of problems) this.errors.push({ line: record.line, field: p.field, message: p.message });
      return null;
    }
    const person = `${input.cafNumber}/${input.birthDate}`;
    const cafLine = this.seenCaf.get(person);
    if (cafLine !== undefined) {
      this.errors.push({ line: record.line, field: 'cafNumber', message: `same CAF number and birth date as line ${cafLine}` });
      return null;
    }
    if (input.nir) {
      const nirLine = this.seenNir.get(input.nir);
      if (nirLine !== undefined) {
        this.errors.push({ line: record.line, field: 'nir', message: `same NIR as line ${nirLine}` });
        return null;
      }
      this.seenNir.set(input.nir, record.line);
    }
    this.seenCaf.set(person, record.line);
    return { line: record.line, input };
  }
}
