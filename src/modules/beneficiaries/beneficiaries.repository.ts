import { Injectable } from '@nestjs/common';
import { Principal } from '../../common/auth/principal';
import { decodeCursor } from '../../common/pagination/pagination';
import { Sql } from '../../database/sql';
import { CaseAccessService } from './case-access.service';
import { isCafNumberQuery, searchKeyOf } from './case-rules';
import { BeneficiarySummaryDto, ListBeneficiariesQueryDto, ReferredBeneficiaryDto } from './dto/beneficiary.dto';
import { AgencyCaseloadSummaryDto } from './dto/caseload-summary.dto';

export type SummaryRow = BeneficiarySummaryDto & { sortKey: string };
export type ReferredRow = ReferredBeneficiaryDto & { sortKey: string };

const SUMMARY_COLUMNS = `b.id, b.caf_number AS "cafNumber", b.first_name AS "firstName", b.last_name AS "lastName",
       to_char(b.birth_date, 'YYYY-MM-DD') AS "birthDate", b.commune_code AS "communeCode", b.status,
       b.agency_id AS "agencyId", b.advisor_id AS "advisorId", b.orientation_path AS "orientationPath",
       to_char(b.next_due_on, 'YYYY-MM-DD') AS "nextDueOn", COALESCE(b.next_due_on < current_date, false) AS overdue,
       b.sort_key AS "sortKey"`;

/**
 * What a provider sees of a person referred to it (ReferredPersonDto), as SQL on alias `b`: the one
 * definition behind its view of the beneficiaries and the `person` of its referrals.
 */
const REFERRED_PERSON_FIELDS: [name: string, sql: string][] = [
  ['firstName', 'b.first_name'],
  ['lastName', 'b.last_name'],
  ['birthDate', "to_char(b.birth_date, 'YYYY-MM-DD')"],
  ['communeCode', 'b.commune_code'],
  ['phone', 'b.phone'],
  ['email', 'b.email'],
  ['orientationPath', 'b.orientation_path'],
];

/** The referred person as one JSON object (ReferredPersonDto). */
export const REFERRED_PERSON_JSON = `json_build_object(${REFERRED_PERSON_FIELDS.map(([name, sql]) => `'${name}', ${sql}`).join(', ')})`;

/** A provider's line or view of a referred person (ReferredBeneficiaryDto), with the list's sort key. */
const REFERRED_COLUMNS = `b.id, ${REFERRED_PERSON_FIELDS.map(([name, sql]) => `${sql} AS "${name}"`).join(', ')}, b.sort_key AS "sortKey"`;

/**
 * The last and first names as `searchKeyOf` makes them, from sort_key (already without accents, upper
 * case): quotes dropped, anything else but letters and digits a space. No birth name.
 */
const REFERRED_NAME_KEY = `regexp_replace(translate(b.sort_key, '''’\`', ''), '[^A-Z0-9]+', ' ', 'g')`;

/** The list of cases: one parameterised query, scope first, keyset on (sort_key, id). */
@Injectable()
export class BeneficiariesRepository {
  constructor(
    private readonly sql: Sql,
    private readonly access: CaseAccessService,
  ) {}

  /** The visible cases, filtered, in name order. */
  list(principal: Principal, query: ListBeneficiariesQueryDto): Promise<SummaryRow[]> {
    const params: unknown[] = [];
    return this.select<SummaryRow>(SUMMARY_COLUMNS, this.access.scopeCondition(principal, params), params, query, 'b.search_text');
  }

  /**
   * The people referred to a provider's programmes, filtered, in name order, as the provider sees
   * them: `q` matches their last and first names only (search_text holds the birth name too).
   */
  listReferred(principal: Principal, query: ListBeneficiariesQueryDto): Promise<ReferredRow[]> {
    const params: unknown[] = [];
    return this.select<ReferredRow>(REFERRED_COLUMNS, this.access.referredScope(principal, params), params, query, REFERRED_NAME_KEY);
  }

  /** The list query: `scope` (its parameters in `params`), the filters, `q` compared with `nameKey`, the keyset. */
  private select<T extends SummaryRow | ReferredRow>(columns: string, scope: string, params: unknown[], query: ListBeneficiariesQueryDto, nameKey: string): Promise<T[]> {
    const where = [scope];
    const add = (condition: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (query.agencyId) add((p) => `b.agency_id = ${p}`, query.agencyId);
    if (query.advisorId) add((p) => `b.advisor_id = ${p}`, query.advisorId);
    if (query.status) add((p) => `b.status = ${p}`, query.status);
    if (query.orientationPath) add((p) => `b.orientation_path = ${p}`, query.orientationPath);
    if (query.communeCode) add((p) => `b.commune_code = ${p}`, query.communeCode);
    if (query.overdue === true) where.push('b.next_due_on < current_date');
    if (query.overdue === false) where.push('(b.next_due_on IS NULL OR b.next_due_on >= current_date)');
    if (query.q) {
      if (isCafNumberQuery(query.q)) {
        // caf_number is char(7): compared as text (what lpad returns), it could not use its index.
        add((p) => `b.caf_number = lpad(${p}, 7, '0')::char(7)`, query.q);
      } else {
        // Both sides normalised the same way (case-rules.ts): accents, case and punctuation ignored.
        // A q with no letter or digit (e.g. "%%") matches nobody.
        const key = searchKeyOf(query.q);
        if (key) add((p) => `${nameKey} LIKE ${p}`, `%${key}%`);
        else where.push('FALSE');
      }
    }
    if (query.cursor) {
      const [sortKey, id] = decodeCursor(query.cursor, ['string', 'uuid']);
      params.push(sortKey, id);
      where.push(`(b.sort_key, b.id) > ($${params.length - 1}, $${params.length}::uuid)`);
    }
    params.push(query.limit + 1);
    return this.sql.rows<T>(
      `SELECT ${columns}
         FROM beneficiaries b
        WHERE ${where.join(' AND ')}
        ORDER BY b.sort_key, b.id
        LIMIT $${params.length}`,
      params,
    );
  }

  /** A person referred to the provider's programmes, as the provider sees them; null otherwise. */
  async findReferred(principal: Principal, id: string): Promise<ReferredBeneficiaryDto | null> {
    const params: unknown[] = [id];
    const scope = this.access.referredScope(principal, params);
    const [row] = await this.sql.rows<ReferredRow>(`SELECT ${REFERRED_COLUMNS} FROM beneficiaries b WHERE b.id = $1 AND ${scope}`, params);
    if (!row) return null;
    const { sortKey: _sortKey, ...person } = row;
    return person;
  }

  /** Open cases and overdue cases per advisor. */
  async caseloadCounts(advisorIds: string[]): Promise<Map<string, { caseloadSize: number; overdueCount: number }>> {
    const rows = await this.sql.rows<{ advisorId: string; size: number; overdue: number }>(
      `SELECT advisor_id AS "advisorId", count(*)::int AS size, count(*) FILTER (WHERE next_due_on < current_date)::int AS overdue
         FROM beneficiaries
        WHERE advisor_id = ANY($1::uuid[]) AND exited_on IS NULL
        GROUP BY advisor_id`,
      [advisorIds],
    );
    return new Map(rows.map((r) => [r.advisorId, { caseloadSize: r.size, overdueCount: r.overdue }]));
  }

  /** Open, overdue, unassigned and to-orient cases of an agency, its suspension procedures to decide, and per advisor. */
  async agencySummary(agencyId: string): Promise<AgencyCaseloadSummaryDto> {
    const [totals] = await this.sql.rows<Omit<AgencyCaseloadSummaryDto, 'agencyId' | 'advisors'>>(
      `SELECT count(*)::int AS "openCases",
              count(*) FILTER (WHERE next_due_on < current_date)::int AS "overdueCases",
              count(*) FILTER (WHERE advisor_id IS NULL)::int AS "unassignedCases",
              count(*) FILTER (WHERE status = 'to_orient')::int AS "toOrient",
              (SELECT count(*)::int FROM suspension_procedures s JOIN beneficiaries p ON p.id = s.beneficiary_id
                WHERE s.status = 'open' AND p.agency_id = $1 AND p.anonymised_at IS NULL) AS "suspensionsToDecide"
         FROM beneficiaries
        WHERE agency_id = $1 AND exited_on IS NULL AND anonymised_at IS NULL`,
      [agencyId],
    );
    const advisors = await this.sql.rows<{ advisorId: string; caseloadSize: number; overdueCount: number }>(
      `SELECT u.id AS "advisorId", count(b.id)::int AS "caseloadSize", count(b.id) FILTER (WHERE b.next_due_on < current_date)::int AS "overdueCount"
         FROM users u
         LEFT JOIN beneficiaries b ON b.advisor_id = u.id AND b.exited_on IS NULL AND b.anonymised_at IS NULL
        WHERE u.agency_id = $1 AND u.role = 'advisor' AND u.active
        GROUP BY u.id, u.last_name
        ORDER BY u.last_name, u.id`,
      [agencyId],
    );
    return { agencyId, ...totals, advisors };
  }
}
