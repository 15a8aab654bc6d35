import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { Actor } from '../../common/context/actor';
import { beneficiariesConfig } from '../../config/configuration';
import { OutboxService } from '../outbox/outbox.service';
import { TimelineService } from '../timeline/timeline.service';
import { OrientationPath } from './beneficiary.enums';
import { CaseFacts, computeDeadlines, deriveStatus, searchKeyOf, sortKeyOf } from './case-rules';
import { Beneficiary } from './entities/beneficiary.entity';

/**
 * Keeps the derived state of a case true after every change: status, due dates,
 * sort key; records the status change in the timeline. Every writer of a case
 * calls `save` in its transaction.
 */
@Injectable()
export class CaseFileService {
  constructor(
    private readonly timeline: TimelineService,
    private readonly outbox: OutboxService,
    @Inject(beneficiariesConfig.KEY) private readonly config: ConfigType<typeof beneficiariesConfig>,
  ) {}

  async save(manager: EntityManager, actor: Actor | null, b: Beneficiary, previousStatus: string | null, known?: CaseFacts): Promise<Beneficiary> {
    const facts = known ?? (await this.facts(manager, b));
    b.status = deriveStatus(facts);
    Object.assign(b, computeDeadlines(facts, this.config.deadlines));
    b.sortKey = sortKeyOf(b.lastName, b.firstName);
    b.searchText = searchKeyOf(b.lastName, b.firstName, b.birthName);
    b.lastContactAt = new Date();
    const saved = await manager.save(b);
    if (previousStatus !== null && previousStatus !== saved.status) {
      await this.timeline.record(manager, {
        beneficiaryId: saved.id,
        type: 'status.changed',
        summary: `Status ${previousStatus} → ${saved.status}`,
        data: { from: previousStatus, to: saved.status },
        actorId: actor?.principal.id ?? null,
      });
    }
    return saved;
  }

  /**
   * Derives the status again after a change kept outside the case row (a step of the
   * construction pathway started or ended); saves the case only when its status moves.
   */
  async refreshStatus(manager: EntityManager, actor: Actor | null, beneficiaryId: string): Promise<void> {
    const b = await manager.findOne(Beneficiary, { where: { id: beneficiaryId }, lock: { mode: 'pessimistic_write' } });
    if (!b || b.anonymisedAt) return;
    const facts = await this.facts(manager, b);
    if (deriveStatus(facts) !== b.status) await this.save(manager, actor, b, b.status, facts);
  }

  private async facts(manager: EntityManager, b: Beneficiary): Promise<CaseFacts> {
    return {
      exited: b.exitedOn !== null,
      rightsOpenedOn: b.rightsOpenedOn,
      orientedOn: b.orientedOn,
      orientationPath: b.orientationPath,
      contractSignedOn: b.contractSignedOn,
      contractEndedOn: b.contractEndedOn,
      // Only asked when it can decide the status: not for a new, exited or contracted case.
      activeStep: b.id && !b.exitedOn && !b.contractSignedOn ? await this.hasActiveStep(manager, b.id) : false,
      // Only asked when it sets a due date: the review of the social path.
      vulnerable: b.id && !b.exitedOn && b.orientationPath === OrientationPath.Social ? await this.vulnerable(manager, b.id) : false,
    };
  }

  /** The orientation in force records a listed situation of vulnerability. */
  private async vulnerable(manager: EntityManager, beneficiaryId: string): Promise<boolean> {
    const [row] = (await manager.query(`SELECT vulnerable FROM orientations WHERE beneficiary_id = $1 AND ended_on IS NULL`, [beneficiaryId])) as { vulnerable: boolean }[];
    return row?.vulnerable ?? false;
  }

  /** A step `in_progress` of the person's construction pathway, while they take part in it. */
  private async hasActiveStep(manager: EntityManager, beneficiaryId: string): Promise<boolean> {
    const [row] = (await manager.query(
      `SELECT EXISTS (SELECT 1 FROM pathway_steps s JOIN pathway_participants p ON p.id = s.participant_id
                       WHERE p.beneficiary_id = $1 AND p.exited_on IS NULL AND s.status = 'in_progress') AS active`,
      [beneficiaryId],
    )) as { active: boolean }[];
    return row.active;
  }

  /** Records a contact with the person (the retention clock) without changing the case's version. */
  async touch(manager: EntityManager, beneficiaryId: string): Promise<void> {
    await manager.query(`UPDATE beneficiaries SET last_contact_at = now() WHERE id = $1`, [beneficiaryId]);
  }

  /** A timeline line and, when `eventType` is given, a domain event for the webhooks, in the same transaction. */
  async event(
    manager: EntityManager,
    actor: Actor | null,
    b: Pick<Beneficiary, 'id'>,
    entry: { type: string; summary: string; data?: Record<string, string | number | boolean | null>; eventType?: string; sensitive?: boolean },
  ): Promise<void> {
    await this.timeline.record(manager, {
      beneficiaryId: b.id,
      type: entry.type,
      summary: entry.summary,
      data: entry.data,
      actorId: actor?.principal.id ?? null,
      sensitive: entry.sensitive,
    });
    if (entry.eventType) {
      await this.outbox.write(manager, { type: entry.eventType, resourceType: 'beneficiary', resourceId: b.id, data: entry.data });
    }
  }
}
