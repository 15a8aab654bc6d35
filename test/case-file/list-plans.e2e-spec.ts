import { DataSource } from 'typeorm';
import { DEFAULT_SIZES, generateData, GenerationResult } from '../../bench/lib/generate';
import { Principal } from '../../src/common/auth/principal';
import { Role } from '../../src/common/auth/roles';
import { encodeCursor } from '../../src/common/pagination/pagination';
import { dataSourceOptions } from '../../src/database/data-source';
import { Sql } from '../../src/database/sql';
import { BeneficiariesRepository } from '../../src/modules/beneficiaries/beneficiaries.repository';
import { CaseAccessService } from '../../src/modules/beneficiaries/case-access.service';
import { ListBeneficiariesQueryDto } from '../../src/modules/beneficiaries/dto/beneficiary.dto';
import { ownMigratedDatabase } from '../setup/test-database';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

/** The repository's own SQL, explained instead of run: the plan PostgreSQL picks for it. */
class ExplainedSql extends Sql {
  plan?: PlanNode;

  override async rows<T>(text: string, values: unknown[] = []): Promise<T[]> {
    const [row] = await super.rows<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
    this.plan = row['QUERY PLAN'][0].Plan;
    return [];
  }
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/**
 * "Keyset pagination backed by indexes that match each filter and sort": the plans of the list's
 * query, on a database of its own with 20,000 generated people (the bench's generator: realistic
 * agencies, communes, statuses and deadlines) and full statistics, for each filter.
 */
describe('beneficiaries list: query plans', () => {
  let drop: () => Promise<void>;
  let dataSource: DataSource;
  let sql: ExplainedSql;
  let repository: BeneficiariesRepository;
  let data: GenerationResult;
  let manager: Principal;
  const admin: Principal = { kind: 'user', id: '00000000-0000-4000-8000-000000000001', role: Role.Admin, agencyId: null, providerId: null, scopes: [] };

  beforeAll(async () => {
    const own = await ownMigratedDatabase('list_plans');
    drop = own.drop;
    const url = own.url;
    data = await generateData(url, {
      ...DEFAULT_SIZES,
      beneficiaries: 20_000,
      programmes: 20,
      referrals: 200,
      participants: 20,
      password: 'list-plans-password',
      managerEmail: 'list-plans.manager@parcours.test',
      providerEmail: 'list-plans.provider@parcours.test',
    });
    dataSource = await new DataSource(dataSourceOptions({ url, poolSize: 2 })).initialize();
    sql = new ExplainedSql(dataSource);
    repository = new BeneficiariesRepository(sql, new CaseAccessService(dataSource));
    manager = { ...admin, id: '00000000-0000-4000-8000-000000000002', role: Role.AgencyManager, agencyId: data.manager.agencyId };
  }, 120_000);
  afterAll(async () => {
    await dataSource?.destroy();
    await drop?.();
  });

  const planOf = async (principal: Principal, filters: Partial<ListBeneficiariesQueryDto>) => {
    await repository.list(principal, Object.assign(new ListBeneficiariesQueryDto(), { limit: 50 }, filters));
    const nodes = nodesOf(sql.plan!);
    const scans = nodes.filter((n) => n['Relation Name'] === 'beneficiaries' || n['Index Name']?.startsWith('ix_beneficiaries') || n['Index Name']?.startsWith('uq_beneficiaries'));
    return { nodes, scans, sorted: nodes.some((n) => n['Node Type'] === 'Sort' || n['Node Type'] === 'Incremental Sort') };
  };
  /** One index scan in list order: no sort, no sequential scan, each filter an index condition. */
  const expectKeysetScan = async (principal: Principal, filters: Partial<ListBeneficiariesQueryDto>, index: string, conditions: string[]) => {
    const plan = await planOf(principal, filters);
    expect(plan.sorted).toBe(false);
    expect(plan.scans.map((s) => [s['Node Type'], s['Index Name']])).toEqual([['Index Scan', index]]);
    for (const column of conditions) expect(plan.scans[0]['Index Cond']).toContain(column);
  };
  /** Few rows (a caseload, a name): found through `index` (or one of the indexes it matches), with the filter as its condition, then sorted. */
  const expectIndexed = async (principal: Principal, filters: Partial<ListBeneficiariesQueryDto>, index: string | RegExp, column: string) => {
    const plan = await planOf(principal, filters);
    expect(plan.nodes.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
    const used = plan.scans.find((s) => (typeof index === 'string' ? s['Index Name'] === index : index.test(s['Index Name'] ?? '')));
    expect(used?.['Index Cond']).toContain(column);
  };
  const aCursor = async () => {
    const [row] = (await dataSource.query(`SELECT sort_key, id FROM beneficiaries ORDER BY sort_key, id OFFSET 5000 LIMIT 1`)) as { sort_key: string; id: string }[];
    return encodeCursor([row.sort_key, row.id]);
  };

  it('lists everyone (admin) on the name order, first page and after a cursor', async () => {
    await expectKeysetScan(admin, {}, 'ix_beneficiaries_sort', []);
    await expectKeysetScan(admin, { cursor: await aCursor() }, 'ix_beneficiaries_sort', ['sort_key']);
  });

  it('lists an agency (agency staff, or an admin filtering by agency) on its own index', async () => {
    await expectKeysetScan(manager, {}, 'ix_beneficiaries_agency_sort', ['agency_id']);
    await expectKeysetScan(manager, { cursor: await aCursor() }, 'ix_beneficiaries_agency_sort', ['agency_id', 'sort_key']);
    await expectKeysetScan(admin, { agencyId: data.manager.agencyId }, 'ix_beneficiaries_agency_sort', ['agency_id']);
  });

  it('filters by status, orientation path, advisor and commune on indexes that lead with them', async () => {
    await expectKeysetScan(manager, { status: 'oriented' as ListBeneficiariesQueryDto['status'] }, 'ix_beneficiaries_agency_status_sort', ['agency_id', 'status']);
    await expectKeysetScan(manager, { orientationPath: 'social' as ListBeneficiariesQueryDto['orientationPath'] }, 'ix_beneficiaries_agency_path_sort', ['agency_id', 'orientation_path']);
    const [advisor] = (await dataSource.query(
      `SELECT advisor_id FROM beneficiaries WHERE agency_id = $1 AND advisor_id IS NOT NULL GROUP BY advisor_id ORDER BY count(*) DESC, advisor_id LIMIT 1`,
      [data.manager.agencyId],
    )) as { advisor_id: string }[];
    // A caseload is a few hundred people at most: either advisor index serves it (the other one gives the order).
    for (const principal of [manager, admin]) {
      await expectIndexed(principal, { advisorId: advisor.advisor_id }, /^ix_beneficiaries_advisor_(sort|due)$/, 'advisor_id');
    }
    const [commune] = (await dataSource.query(
      `SELECT commune_code FROM beneficiaries GROUP BY commune_code ORDER BY count(*), commune_code LIMIT 1`,
    )) as { commune_code: string }[];
    await expectKeysetScan(admin, { communeCode: commune.commune_code }, 'ix_beneficiaries_commune_sort', ['commune_code']);
  });

  it('finds a person by CAF number on its unique index, and by name on the trigram index', async () => {
    const [person] = (await dataSource.query(`SELECT caf_number, last_name, first_name FROM beneficiaries ORDER BY caf_number LIMIT 1 OFFSET 777`)) as {
      caf_number: string;
      last_name: string;
      first_name: string;
    }[];
    await expectIndexed(admin, { q: person.caf_number }, 'uq_beneficiaries_caf_birth', 'caf_number');
    await expectIndexed(manager, { q: person.caf_number }, 'uq_beneficiaries_caf_birth', 'caf_number');
    await expectIndexed(admin, { q: `${person.last_name} ${person.first_name}` }, 'ix_beneficiaries_search', 'search_text');
  });

  it('lists the overdue cases of an agency from its deadline index', async () => {
    const plan = await planOf(manager, { overdue: true });
    expect(plan.nodes.some((n) => n['Node Type'] === 'Seq Scan')).toBe(false);
    expect(plan.scans.map((s) => s['Index Name'])).toContainEqual(expect.stringMatching(/^ix_beneficiaries_agency_(due|sort)$/));
  });
});
