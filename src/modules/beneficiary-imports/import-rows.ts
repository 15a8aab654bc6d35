import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { flattenValidationErrors } from '../../common/errors/validation-errors';
import { CreateBeneficiaryDto } from '../beneficiaries/dto/beneficiary.dto';
import { ImportError } from './entities/beneficiary-import.entity';
import { RawRecord } from './import-parsers';

const BOOLEANS: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, oui: true, non: false, yes: true, no: false };

export type ValidRow = { line: number; input: CreateBeneficiaryDto };

/**
 * Validates each record with the very rules of `POST /beneficiaries`
 * (CreateBeneficiaryDto); a bad record becomes one error per field and never
 * stops the others. A person (CAF number and birth date) or a NIR seen earlier in the same file is refused.
 */
export function validateRecords(records: RawRecord[]): { valid: ValidRow[]; errors: ImportError[] } {
  const valid: ValidRow[] = [];
  const errors: ImportError[] = [];
  const seenCaf = new Map<string, number>();
  const seenNir = new Map<string, number>();
  for (const record of records) {
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
      for (const p of problems) errors.push({ line: record.line, field: p.field, message: p.message });
      continue;
    }
    const person = `${input.cafNumber}/${input.birthDate}`;
    const cafLine = seenCaf.get(person);
    if (cafLine !== undefined) {
      errors.push({ line: record.line, field: 'cafNumber', message: `same CAF number and birth date as line ${cafLine}` });
      continue;
    }
    if (input.nir) {
      const nirLine = seenNir.get(input.nir);
      if (nirLine !== undefined) {
        errors.push({ line: record.line, field: 'nir', message: `same NIR as line ${nirLine}` });
        continue;
      }
      seenNir.set(input.nir, record.line);
    }
    seenCaf.set(person, record.line);
    valid.push({ line: record.line, input });
  }
  return { valid, errors };
}
