import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DataSource, EntityManager } from 'typeorm';
import { AppException } from '../../common/errors/app.exception';
import { webhooksConfig } from '../../config/configuration';
import { OrientationPath, ReferentBody } from '../beneficiaries/beneficiary.enums';
import { CaseFileService } from '../beneficiaries/case-file.service';
import { Beneficiary } from '../beneficiaries/entities/beneficiary.entity';
import { OrientationsService } from '../beneficiaries/orientations.service';
import { ParticipantsService } from '../construction-pathway/participants.service';
import { JobsService } from '../jobs/jobs.service';
import { TimelineService } from '../timeline/timeline.service';
import {
  AppointmentUpdatedDataDto,
  EmploymentStartedDataDto,
  FT_APPOINTMENT_STATUSES,
  FT_ORGANISMES,
  FT_PATHS,
  FranceTravailEventType,
  JobseekerDeregisteredDataDto,
  JobseekerRegisteredDataDto,
  OrientationDecidedDataDto,
  TrainingStartedDataDto,
} from './dto/france-travail-event.dto';
import { InboxStatus } from './entities/webhook-inbox-entry.entity';
import { INBOX_JOB, WebhookInboxService } from './webhook-inbox.service';

/** A stored event: the NIR was replaced by its keyed hash on receipt. */
interface StoredEvent {
  type: FranceTravailEventType;
  timestamp: string;
  data: { franceTravailId?: string; nirHash?: string; cafNumber?: string; birthDate?: string } & Record<string, unknown>;
}

interface Claimed {
  id: string;
  attempts: number;
  payload: StoredEvent;
}

export const INBOX_PURGE_JOB = 'webhooks.inbox.purge';

/** Events applied per transaction. */
const BATCH_SIZE = 50;

type Outcome = { status: InboxStatus.Processed; beneficiaryId: string } | { status: InboxStatus.Unmatched; error: string };

/** Lines of the timeline for appointment statuses. */
const APPOINTMENT_SUMMARIES: Record<keyof typeof FT_APPOINTMENT_STATUSES, string> = {
  PRIS: 'France Travail appointment booked',
  EFFECTUE: 'France Travail appointment attended',
  MODIFIE: 'France Travail appointment rescheduled',
  ABSENT: 'Missed France Travail appointment',
  ANNULE: 'France Travail appointment cancelled',
};

/**
 * Applies the stored France Travail events, one transaction each: the inbox row
 * is locked (SKIP LOCKED, so instances share the work), the person matched, the
 * change made and the row marked, all or nothing. A failure is retried on the
 * configured schedule, then the row is `failed` with the error.
 */
@Injectable()
export class FranceTravailProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(FranceTravailProcessor.name);
  private draining?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly inbox: WebhookInboxService,
    private readonly caseFile: CaseFileService,
    private readonly orientations: OrientationsService,
    private readonly timeline: TimelineService,
    private readonly pathway: ParticipantsService,
    @Inject(webhooksConfig.KEY) private readonly config: ConfigType<typeof webhooksConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Each event queues the job; the schedule is the safety net (an event stored while no job ran).
    await this.jobs.schedule(INBOX_JOB, '* * * * *', () => this.drain());
    await this.jobs.schedule(INBOX_PURGE_JOB, '37 3 * * *', async () => {
      const deleted = await this.purge();
      this.logger.log(`webhook inbox purge: ${deleted} processed or rejected events older than ${this.config.retentionDays} days deleted`);
    });
  }

  /**
   * Deletes processed and rejected events older than WEBHOOK_RETENTION_DAYS (they hold
   * matching data: France Travail id, CAF number, birth date, the NIR's hash). Unmatched
   * and failed ones stay until someone deals with them.
   */
  async purge(now: Date = new Date()): Promise<number> {
    const [, deleted] = (await this.dataSource.query(
      `DELETE FROM webhook_inbox WHERE status IN ('processed', 'rejected') AND received_at < $1::timestamptz - make_interval(days => $2)`,
      [now, this.config.retentionDays],
    )) as [unknown, number];
    return deleted;
  }

  /** Processes every due event; concurrent calls on one instance share one run. */
  drain(): Promise<void> {
    this.draining ??= (async () => {
      try {
        while ((await this.processBatch()) === BATCH_SIZE);
      } finally {
        this.draining = undefined;
      }
    })();
    return this.draining;
  }

  /**
   * Up to BATCH_SIZE due events in one transaction, each under its own
   * savepoint: an event's change and its inbox row are kept or undone together,
   * and a failure is recorded without losing the others. Returns how many were claimed.
   */
  async processBatch(): Promise<number> {
    const retries: number[] = [];
    const claimed = await this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `SELECT id, attempts, payload FROM webhook_inbox
          WHERE status = 'received' AND next_attempt_at <= now()
          ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH_SIZE],
      )) as Claimed[];
      for (const row of rows) {
        await manager.query('SAVEPOINT inbox_event');
        try {
          const outcome = await this.apply(manager, row.payload);
          await manager.query(
            `UPDATE webhook_inbox SET status = $2, beneficiary_id = $3, error = $4, attempts = attempts + 1, next_attempt_at = NULL, processed_at = now() WHERE id = $1`,
            [row.id, outcome.status, outcome.status === InboxStatus.Processed ? outcome.beneficiaryId : null, outcome.status === InboxStatus.Unmatched ? outcome.error : null],
          );
          await manager.query('RELEASE SAVEPOINT inbox_event');
        } catch (error) {
          await manager.query('ROLLBACK TO SAVEPOINT inbox_event');
          const delayMs = await this.recordFailure(manager, row, error);
          if (delayMs !== undefined) retries.push(delayMs);
        }
      }
      return rows.length;
    });
    if (retries.length) this.inbox.kick(Math.max(1, Math.ceil(Math.min(...retries) / 1000)));
    return claimed;
  }

  /** Retried after the next delay of the schedule (returned); a business refusal (4xx) or the last attempt is final. */
  private async recordFailure(manager: EntityManager, claimed: Claimed, error: unknown): Promise<number | undefined> {
    const message = error instanceof AppException ? `${error.code}: ${error.detail}` : error instanceof Error ? error.message : String(error);
    const attempts = claimed.attempts + 1;
    const delayMs = error instanceof AppException ? undefined : this.config.inboxRetryScheduleMs[attempts - 1];
    this.logger.warn({ inboxId: claimed.id, attempts, err: message }, delayMs === undefined ? 'France Travail event failed' : 'France Travail event will be retried');
    await manager.query(
      `UPDATE webhook_inbox
          SET attempts = $2, error = $3,
              status = CASE WHEN $4::int IS NULL THEN 'failed' ELSE 'received' END,
              next_attempt_at = CASE WHEN $4::int IS NULL THEN NULL ELSE now() + make_interval(secs => $4::int / 1000.0) END
        WHERE id = $1`,
      [claimed.id, attempts, message.slice(0, 2000), delayMs ?? null],
    );
    return delayMs;
  }

  private async apply(manager: EntityManager, event: StoredEvent): Promise<Outcome> {
    const person = await this.match(manager, event.data);
    if ('error' in person) return { status: InboxStatus.Unmatched, error: person.error };
    const id = person.beneficiaryId;
    switch (event.type) {
      case 'jobseeker.registered':
        await this.onJobseekerRegistered(manager, id, event.data as unknown as JobseekerRegisteredDataDto);
        break;
      case 'jobseeker.deregistered':
        await this.onJobseekerDeregistered(manager, id, event.data as unknown as JobseekerDeregisteredDataDto);
        break;
      case 'orientation.decided':
        await this.onOrientationDecided(manager, id, event.data as unknown as OrientationDecidedDataDto);
        break;
      case 'appointment.updated':
        await this.onAppointmentUpdated(manager, id, event.data as unknown as AppointmentUpdatedDataDto);
        break;
      case 'employment.started':
        await this.onEmploymentStarted(manager, id, event.data as unknown as EmploymentStartedDataDto);
        break;
      case 'training.started':
        await this.onTrainingStarted(manager, id, event.data as unknown as TrainingStartedDataDto);
        break;
    }
    return { status: InboxStatus.Processed, beneficiaryId: id };
  }

  /**
   * The person, locked: by France Travail id, else NIR (keyed hash) and birth
   * date, else CAF number and birth date. Several people for one key is no match.
   */
  private async match(manager: EntityManager, data: StoredEvent['data']): Promise<{ beneficiaryId: string } | { error: string }> {
    const tries: [string, string, unknown[]][] = [];
    if (data.franceTravailId) tries.push(['France Travail id', 'france_travail_id = $1', [data.franceTravailId]]);
    if (data.nirHash && data.birthDate) tries.push(['NIR and birth date', 'nir_hash = $1 AND birth_date = $2', [data.nirHash, data.birthDate]]);
    if (data.cafNumber && data.birthDate) tries.push(['CAF number and birth date', 'caf_number = $1 AND birth_date = $2', [data.cafNumber, data.birthDate]]);
    for (const [name, condition, params] of tries) {
      const rows = (await manager.query(`SELECT id FROM beneficiaries WHERE ${condition} AND anonymised_at IS NULL LIMIT 2`, params)) as { id: string }[];
      if (rows.length === 1) return { beneficiaryId: rows[0].id };
      if (rows.length > 1) return { error: `several beneficiaries share this ${name}` };
    }
    return { error: `no beneficiary matches (${tries.map(([name]) => name).join(', ')})` };
  }

  /** Records the France Travail id on the person. */
  private async onJobseekerRegistered(manager: EntityManager, beneficiaryId: string, data: JobseekerRegisteredDataDto): Promise<void> {
    const b = await manager.findOneOrFail(Beneficiary, { where: { id: beneficiaryId }, lock: { mode: 'pessimistic_write' } });
    if (b.franceTravailId !== data.franceTravailId) {
      b.franceTravailId = data.franceTravailId!;
      await this.caseFile.save(manager, null, b, b.status);
    }
    await this.record(manager, beneficiaryId, 'france_travail.registered', 'Registered with France Travail', { registeredOn: data.registeredOn });
  }

  private async onJobseekerDeregistered(manager: EntityManager, beneficiaryId: string, data: JobseekerDeregisteredDataDto): Promise<void> {
    await this.record(manager, beneficiaryId, 'france_travail.deregistered', 'Deregistered from France Travail', {
      deregisteredOn: data.deregisteredOn,
      reasonCode: data.reasonCode ?? null,
    });
  }

  /** The decision goes through the beneficiaries' orientation rules: history, status, deadlines, `beneficiary.oriented`. */
  private async onOrientationDecided(manager: EntityManager, beneficiaryId: string, data: OrientationDecidedDataDto): Promise<void> {
    await this.orientations.decideFromIntegration(manager, beneficiaryId, {
      path: FT_PATHS[data.path] as OrientationPath,
      referentBody: FT_ORGANISMES[data.organismeCode] as ReferentBody,
      decidedOn: data.decidedOn,
      reason: `France Travail decision (${data.path}, ${data.organismeCode})`,
    });
  }

  private async onAppointmentUpdated(manager: EntityManager, beneficiaryId: string, data: AppointmentUpdatedDataDto): Promise<void> {
    await this.record(manager, beneficiaryId, 'appointment.updated', APPOINTMENT_SUMMARIES[data.status], {
      appointmentId: data.appointmentId,
      status: data.status,
      scheduledAt: data.scheduledAt,
    });
  }

  /**
   * The person started a job: a timeline line and, for a participant of the construction
   * pathway, the employment with its `employment` step and follow-ups, in the same transaction.
   */
  async onEmploymentStarted(manager: EntityManager, beneficiaryId: string, data: EmploymentStartedDataDto): Promise<void> {
    const recorded = await this.pathway.recordEmploymentFromIntegration(manager, beneficiaryId, {
      employerName: null,
      employerSiret: data.employerSiret ?? null,
      contractType: data.contractType,
      startsOn: data.startedOn,
      endsOn: data.endsOn ?? null,
      weeklyHours: data.hoursPerWeek ?? null,
      romeCode: data.romeCode ?? null,
    });
    await this.record(manager, beneficiaryId, 'employment.started', `Employment started (${data.contractType})`, {
      startedOn: data.startedOn,
      endsOn: data.endsOn ?? null,
      contractType: data.contractType,
      romeCode: data.romeCode ?? null,
      hoursPerWeek: data.hoursPerWeek ?? null,
      employerSiret: data.employerSiret ?? null,
      participantId: recorded?.participantId ?? null,
      employmentId: recorded?.employmentId ?? null,
    });
  }

  private async onTrainingStarted(manager: EntityManager, beneficiaryId: string, data: TrainingStartedDataDto): Promise<void> {
    await this.record(manager, beneficiaryId, 'training.started', 'Training started', {
      startedOn: data.startedOn,
      endsOn: data.endsOn ?? null,
      formacode: data.formacode ?? null,
      hoursPerWeek: data.hoursPerWeek ?? null,
    });
  }

  private async record(manager: EntityManager, beneficiaryId: string, type: string, summary: string, data: Record<string, string | number | null>): Promise<void> {
    await this.timeline.record(manager, { beneficiaryId, type, summary, data: { ...data, source: 'france_travail' } });
    await this.caseFile.touch(manager, beneficiaryId);
  }
}
