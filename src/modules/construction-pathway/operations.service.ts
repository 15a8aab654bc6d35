import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { Actor } from '../../common/context/actor';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { Sql } from '../../database/sql';
import { AuditService } from '../audit/audit.service';
import { CaseAccessService } from '../beneficiaries/case-access.service';
import { today } from '../../common/time/local-day';
import { OutboxService } from '../outbox/outbox.service';
import {
  hoursBeforeEnrolment,
  hoursMonthInFuture,
  hoursParticipantNotFound,
  invalidCursor,
  operationNotFound,
  participantExited,
  unknownCommune,
} from './construction-pathway.errors';
import {
  CreateLotDto,
  CreateOperationDto,
  HoursDto,
  ListHoursQueryDto,
  ListOperationsQueryDto,
  LotDto,
  OperationDto,
  RecordedHoursDto,
  RecordHoursDto,
} from './dto/operation.dto';
import { OperationLot } from './entities/operation-lot.entity';
import { Operation } from './entities/operation.entity';
import { ParticipantsService } from './participants.service';
import { requiredHours } from './pathway-rules';

const ts = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const OPERATION_COLUMNS = `o.id, o.name, o.contracting_authority AS "contractingAuthority", o.commune_code AS "communeCode",
       COALESCE((SELECT json_agg(json_build_object(
                   'id', l.id, 'label', l.label, 'amount', l.amount, 'labourSharePercent', l.labour_share_percent::float8,
                   'insertionRatePercent', l.insertion_rate_percent::float8, 'hourlyCost', l.hourly_cost::float8,
                   'requiredHours', l.required_hours, 'hoursEntered', l.hours_entered, 'companyName', l.company_name,
                   'companySiret', l.company_siret, 'fulfilmentMode', l.fulfilment_mode) ORDER BY l.label, l.id)
                   FROM clause_lots l WHERE l.operation_id = o.id), '[]') AS lots,
       (SELECT COALESCE(sum(l.required_hours), 0)::int FROM clause_lots l WHERE l.operation_id = o.id) AS "requiredHours",
       (SELECT COALESCE(sum(h.hours), 0)::float8 FROM clause_hours h WHERE h.operation_id = o.id) AS "workedHours",
       (SELECT count(DISTINCT h.participant_id)::int FROM clause_hours h WHERE h.operation_id = o.id AND h.hours > 0) AS "participantCount",
       ${ts('o.created_at')} AS "createdAt"`;

type OperationRow = Omit<OperationDto, 'remainingHours'>;

const HOURS_COLUMNS = `h.operation_id AS "operationId", h.participant_id AS "participantId", to_char(h.month, 'YYYY-MM') AS month,
       h.hours::float8 AS hours, ${ts('h.updated_at')} AS "updatedAt"`;

/** Hours are kept to the hundredth: sums in floating point are rounded back. */
const hundredths = (n: number) => Math.round(n * 100) / 100;

/**
 * Construction operations with social clauses: lots and their required insertion
 * hours (domain.md §5), and the monthly hours worked by participants. Operations are
 * not personal data; the hours of a participant are, and follow the case's scope.
 */
@Injectable()
export class OperationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sql: Sql,
    private readonly access: CaseAccessService,
    private readonly participants: ParticipantsService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, input: CreateOperationDto): Promise<OperationDto> {
    const id = await this.dataSource.transaction(async (manager) => {
      await this.checkCommune(manager, input.communeCode);
      const { identifiers } = await manager.insert(Operation, {
        name: input.name,
        contractingAuthority: input.contractingAuthority,
        communeCode: input.communeCode,
        createdBy: actor.principal.id,
      });
      const operationId = identifiers[0].id as string;
      await manager.insert(OperationLot, input.lots.map((lot) => toLot(operationId, lot)));
      await this.audit.record(actor, { action: 'operation.create', resourceType: 'operation', resourceId: operationId }, manager);
      await this.outbox.write(manager, { type: 'operation.created', resourceType: 'operation', resourceId: operationId, data: { operationId, communeCode: input.communeCode } });
      return operationId;
    });
    return this.get(id);
  }

  async addLot(actor: Actor, id: string, input: CreateLotDto): Promise<OperationDto> {
    await this.dataSource.transaction(async (manager) => {
      const operation = await manager.findOne(Operation, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!operation) throw operationNotFound();
      const { identifiers } = await manager.insert(OperationLot, toLot(id, input));
      await this.audit.record(actor, { action: 'operation.lot_added', resourceType: 'operation', resourceId: id, details: { lotId: identifiers[0].id as string } }, manager);
      await this.outbox.write(manager, { type: 'operation.updated', resourceType: 'operation', resourceId: id, data: { operationId: id, lotId: identifiers[0].id as string } });
    });
    return this.get(id);
  }

  async get(id: string): Promise<OperationDto> {
    const [row] = await this.sql.rows<OperationRow>(`SELECT ${OPERATION_COLUMNS} FROM clause_operations o WHERE o.id = $1`, [id]);
    if (!row) throw operationNotFound();
    return toDto(row);
  }

  /** By name. */
  async list(query: ListOperationsQueryDto): Promise<Page<OperationDto>> {
    const params: unknown[] = [];
    const where = ['TRUE'];
    if (query.communeCode) {
      params.push(query.communeCode);
      where.push(`o.commune_code = $${params.length}`);
    }
    if (query.cursor) {
      const [name, cursorId] = decodeCursor(query.cursor, ['string', 'uuid']);
      params.push(name, cursorId);
      where.push(`(o.name, o.id) > ($${params.length - 1}, $${params.length}::uuid)`);
    }
    params.push(query.limit + 1);
    const rows = await this.sql.rows<OperationRow>(
      `SELECT ${OPERATION_COLUMNS} FROM clause_operations o WHERE ${where.join(' AND ')} ORDER BY o.name, o.id LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, query.limit, (r) => [r.name, r.id], toDto);
  }

  /**
   * The hours a participant worked on the operation in a month: one row per operation,
   * participant and month; a correction replaces the earlier value.
   */
  async recordHours(actor: Actor, id: string, input: RecordHoursDto): Promise<RecordedHoursDto> {
    const month = `${input.month}-01`;
    if (input.month > today().slice(0, 7)) throw hoursMonthInFuture();
    const result = await this.dataSource.transaction(async (manager) => {
      if (!(await manager.exists(Operation, { where: { id } }))) throw operationNotFound();
      const { participant: p } = await this.participants.writable(actor.principal, input.participantId, manager).catch((e: unknown) => {
        if ((e as { code?: string }).code === 'PARTICIPANT_NOT_FOUND') throw hoursParticipantNotFound();
        throw e;
      });
      if (p.exitedOn && month > p.exitedOn) throw participantExited();
      if (input.month < p.enrolledOn.slice(0, 7)) throw hoursBeforeEnrolment();
      const [previous] = (await manager.query(
        `SELECT hours::float8 AS hours FROM clause_hours WHERE operation_id = $1 AND participant_id = $2 AND month = $3 FOR UPDATE`,
        [id, p.id, month],
      )) as { hours: number }[];
      await manager.query(
        `INSERT INTO clause_hours (operation_id, participant_id, month, hours, recorded_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (operation_id, participant_id, month) DO UPDATE SET hours = EXCLUDED.hours, recorded_by = EXCLUDED.recorded_by, updated_at = now()`,
        [id, p.id, month, input.hours, actor.principal.id],
      );
      await this.participants.record(manager, actor, p, {
        type: 'participant.hours_recorded',
        summary: previous ? `Clause hours of ${input.month} corrected: ${previous.hours} → ${input.hours}` : `Clause hours of ${input.month}: ${input.hours}`,
        data: { operationId: id, month: input.month, hours: input.hours, previousHours: previous?.hours ?? null },
      });
      return { replaced: previous !== undefined };
    });
    const [row] = await this.sql.rows<HoursDto>(`SELECT ${HOURS_COLUMNS} FROM clause_hours h WHERE h.operation_id = $1 AND h.participant_id = $2 AND h.month = $3`, [
      id,
      input.participantId,
      month,
    ]);
    const totals = await this.get(id);
    return { ...row, replaced: result.replaced, requiredHours: totals.requiredHours, workedHours: totals.workedHours, remainingHours: totals.remainingHours };
  }

  /** The monthly rows of the participants the caller sees, newest month first. */
  async listHours(principal: Principal, id: string, query: ListHoursQueryDto): Promise<Page<HoursDto>> {
    await this.get(id);
    const params: unknown[] = [id];
    const where = ['h.operation_id = $1', this.access.scopeCondition(principal, params)];
    if (query.participantId) {
      params.push(query.participantId);
      where.push(`h.participant_id = $${params.length}`);
    }
    if (query.cursor) {
      const [month, cursorId] = decodeCursor(query.cursor, ['string', 'uuid']);
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month as string)) throw invalidCursor();
      params.push(`${month as string}-01`, cursorId);
      where.push(`(h.month < $${params.length - 1}::date OR (h.month = $${params.length - 1}::date AND h.participant_id > $${params.length}::uuid))`);
    }
    params.push(query.limit + 1);
    const rows = await this.sql.rows<HoursDto>(
      `SELECT ${HOURS_COLUMNS}
         FROM clause_hours h JOIN pathway_participants p ON p.id = h.participant_id JOIN beneficiaries b ON b.id = p.beneficiary_id
        WHERE ${where.join(' AND ')}
        ORDER BY h.month DESC, h.participant_id
        LIMIT $${params.length}`,
      params,
    );
    return toPage(rows, query.limit, (r) => [r.month, r.participantId], (r) => r);
  }

  private async checkCommune(manager: EntityManager, code: string): Promise<void> {
    const [row] = (await manager.query(`SELECT 1 FROM communes WHERE insee_code = $1`, [code])) as unknown[];
    if (!row) throw unknownCommune();
  }
}

/** A lot row: the required hours as entered, or computed from the four inputs. */
function toLot(operationId: string, lot: CreateLotDto): Partial<OperationLot> {
  const entered = lot.requiredHours !== undefined;
  return {
    operationId,
    label: lot.label,
    amount: lot.amount ?? null,
    labourSharePercent: lot.labourSharePercent ?? null,
    insertionRatePercent: lot.insertionRatePercent ?? null,
    hourlyCost: lot.hourlyCost ?? null,
    requiredHours: entered
      ? lot.requiredHours!
      : requiredHours({ amount: lot.amount!, labourSharePercent: lot.labourSharePercent!, insertionRatePercent: lot.insertionRatePercent!, hourlyCost: lot.hourlyCost! }),
    hoursEntered: entered,
    companyName: lot.companyName,
    companySiret: lot.companySiret,
    fulfilmentMode: lot.fulfilmentMode,
  };
}

function toDto(row: OperationRow): OperationDto {
  const workedHours = hundredths(row.workedHours);
  // bigint amounts come out of json_build_object as numbers already; Number() keeps the type honest.
  const lots = row.lots.map((l: LotDto) => ({ ...l, amount: l.amount === null ? null : Number(l.amount) }));
  return { ...row, lots, workedHours, remainingHours: Math.max(0, hundredths(row.requiredHours - workedHours)) };
}
