import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { Actor } from '../../common/context/actor';
import { newestFirstPage } from '../../common/pagination/newest-first';
import { decodeCursor, Page, toPage } from '../../common/pagination/pagination';
import { PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { isoMicros } from '../../database/sql';
import { AuditService } from '../audit/audit.service';
import { OrientationPath, ReferentBody, ReorientationStatus } from './beneficiary.enums';
import {
  denialNeedsReason,
  exitedCase,
  orientationBeforeCurrent,
  reorientationDecided,
  reorientationNotFound,
  reorientationPending,
  vulnerableOnSocialPathOnly,
} from './beneficiaries.errors';
import { CaseAccessService } from './case-access.service';
import { CaseFileService } from './case-file.service';
import { today } from '../../common/time/local-day';
import { OrientationDto, OrientationInputDto, ReorientationRequestDto, ReorientationRequestInputDto } from './dto/case-actions.dto';
import { Beneficiary } from './entities/beneficiary.entity';
import { Orientation } from './entities/orientation.entity';
import { ReorientationRequest } from './entities/reorientation-request.entity';

/** Orientation decisions (a new one ends the previous) and reorientation requests (pending → accepted | denied). */
@Injectable()
export class OrientationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: CaseAccessService,
    private readonly caseFile: CaseFileService,
    private readonly audit: AuditService,
  ) {}

  async orient(actor: Actor, beneficiaryId: string, input: OrientationInputDto): Promise<Beneficiary> {
    return this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      const saved = await this.decide(manager, actor, b, {
        path: input.path,
        referentBody: input.referentBody,
        decidedOn: input.decidedOn ?? today(),
        reason: input.reason ?? null,
        vulnerable: input.vulnerable,
      });
      await this.audit.record(actor, { action: 'beneficiary.orient', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { path: input.path } }, manager);
      return saved;
    });
  }

  /** Newest decided first, a page at a time. */
  async history(principal: Principal, beneficiaryId: string, query: PaginationQueryDto): Promise<Page<OrientationDto>> {
    await this.access.findVisible(principal, beneficiaryId);
    const qb = this.dataSource.getRepository(Orientation).createQueryBuilder('o').where('o.beneficiaryId = :beneficiaryId', { beneficiaryId });
    return newestFirstPage(qb, query, toOrientationDto, { column: 'decided_on', of: (o) => o.decidedOn });
  }

  async request(actor: Actor, beneficiaryId: string, input: ReorientationRequestInputDto): Promise<ReorientationRequestDto> {
    const id = await this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      if (b.exitedOn) throw exitedCase();
      if (await manager.exists(ReorientationRequest, { where: { beneficiaryId, status: ReorientationStatus.Pending } })) throw reorientationPending();
      const current = await manager.findOne(Orientation, { where: { beneficiaryId, endedOn: IsNull() } });
      const request = await manager.save(
        manager.create(ReorientationRequest, {
          beneficiaryId,
          fromOrientationId: current?.id ?? null,
          requestedPath: input.path,
          requestedReferentBody: input.referentBody,
          reason: input.reason,
          requestedBy: actor.principal.kind === 'user' ? actor.principal.id : null,
        }),
      );
      await this.caseFile.event(manager, actor, b, {
        type: 'reorientation.requested',
        summary: `Reorientation requested towards ${input.path}`,
        data: { requestId: request.id, path: input.path, referentBody: input.referentBody },
      });
      await this.audit.record(actor, { action: 'reorientation.request', resourceType: 'beneficiary', resourceId: beneficiaryId }, manager);
      return request.id;
    });
    return this.getRequest(actor.principal, beneficiaryId, id);
  }

  /** Newest requested first, a page at a time. */
  async requests(principal: Principal, beneficiaryId: string, query: PaginationQueryDto): Promise<Page<ReorientationRequestDto>> {
    await this.access.findVisible(principal, beneficiaryId);
    const [at, id] = query.cursor ? decodeCursor(query.cursor, ['timestamp', 'uuid']) : [null, null];
    const rows = await this.requestRows(beneficiaryId, { after: at === null ? null : [at as string, id as string], limit: query.limit + 1 });
    return toPage(rows, query.limit, (r) => [r.cursorAt, r.id], ({ cursorAt: _cursorAt, ...r }) => r);
  }

  async getRequest(principal: Principal, beneficiaryId: string, requestId: string): Promise<ReorientationRequestDto> {
    await this.access.findVisible(principal, beneficiaryId);
    const [row] = await this.requestRows(beneficiaryId, { requestId });
    if (!row) throw reorientationNotFound();
    const { cursorAt: _cursorAt, ...request } = row;
    return request;
  }

  /** Accepting decides the new orientation; denying needs a reason. Both are told to the previous referent (timeline + event data). */
  async decideRequest(actor: Actor, beneficiaryId: string, requestId: string, accept: boolean, reason: string | undefined): Promise<ReorientationRequestDto> {
    if (!accept && !reason) throw denialNeedsReason();
    await this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      const request = await manager.findOne(ReorientationRequest, { where: { id: requestId, beneficiaryId }, lock: { mode: 'pessimistic_write' } });
      if (!request) throw reorientationNotFound();
      if (request.status !== ReorientationStatus.Pending) throw reorientationDecided();
      request.status = accept ? ReorientationStatus.Accepted : ReorientationStatus.Denied;
      request.decisionReason = reason ?? null;
      request.decidedBy = actor.principal.kind === 'user' ? actor.principal.id : null;
      request.decidedAt = new Date();
      await manager.save(request);
      const previous = request.fromOrientationId ? await manager.findOne(Orientation, { where: { id: request.fromOrientationId } }) : null;
      await this.caseFile.event(manager, actor, b, {
        type: accept ? 'reorientation.accepted' : 'reorientation.denied',
        summary: accept ? `Reorientation accepted towards ${request.requestedPath}` : 'Reorientation denied',
        data: { requestId, previousReferentBody: previous?.referentBody ?? null, decisionReason: reason ?? null },
      });
      if (accept) {
        await this.decide(manager, actor, b, { path: request.requestedPath, referentBody: request.requestedReferentBody, decidedOn: today(), reason: reason ?? request.reason });
      }
      await this.audit.record(actor, { action: accept ? 'reorientation.accept' : 'reorientation.deny', resourceType: 'beneficiary', resourceId: beneficiaryId }, manager);
    });
    return this.getRequest(actor.principal, beneficiaryId, requestId);
  }

  /**
   * An orientation decided elsewhere (France Travail's `orientation.decided`), in
   * the caller's transaction: the same rules, history, status and deadlines as a
   * decision taken here. The same decision already current is a no-op (false).
   */
  async decideFromIntegration(
    manager: EntityManager,
    beneficiaryId: string,
    decision: { path: OrientationPath; referentBody: ReferentBody; decidedOn: string; reason: string | null },
  ): Promise<boolean> {
    const b = await manager.findOne(Beneficiary, { where: { id: beneficiaryId }, lock: { mode: 'pessimistic_write' } });
    if (!b) return false;
    if (b.orientationPath === decision.path && b.referentBody === decision.referentBody && b.orientedOn === decision.decidedOn) return false;
    await this.decide(manager, null, b, decision);
    await this.audit.recordAnonymous(null, { action: 'beneficiary.orient', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { path: decision.path, source: 'france_travail' } }, manager);
    return true;
  }

  private async decide(
    manager: EntityManager,
    actor: Actor | null,
    b: Beneficiary,
    decision: { path: OrientationPath; referentBody: ReferentBody; decidedOn: string; reason: string | null; vulnerable?: boolean },
  ): Promise<Beneficiary> {
    if (b.exitedOn) throw exitedCase();
    if (decision.vulnerable && decision.path !== OrientationPath.Social) throw vulnerableOnSocialPathOnly();
    const current = await manager.findOne(Orientation, { where: { beneficiaryId: b.id, endedOn: IsNull() }, lock: { mode: 'pessimistic_write' } });
    if (current && decision.decidedOn < current.decidedOn) throw orientationBeforeCurrent();
    if (current) await manager.update(Orientation, { id: current.id }, { endedOn: decision.decidedOn });
    await manager.insert(Orientation, {
      beneficiaryId: b.id,
      path: decision.path,
      referentBody: decision.referentBody,
      decidedOn: decision.decidedOn,
      reason: decision.reason,
      decidedBy: actor?.principal.kind === 'user' ? actor.principal.id : null,
      vulnerable: decision.vulnerable ?? false,
    });
    const previousStatus = b.status;
    b.orientationPath = decision.path;
    b.referentBody = decision.referentBody;
    b.orientedOn = decision.decidedOn;
    const saved = await this.caseFile.save(manager, actor, b, previousStatus);
    await this.caseFile.event(manager, actor, saved, {
      type: 'orientation.decided',
      summary: `Oriented: ${decision.path}, referent ${decision.referentBody}`,
      data: { path: decision.path, referentBody: decision.referentBody, decidedOn: decision.decidedOn, previousReferentBody: current?.referentBody ?? null },
      eventType: 'beneficiary.oriented',
    });
    return saved;
  }

  /** The requests of a case, newest first: one of them, or those after a cursor's (requested at, id). */
  private requestRows(
    beneficiaryId: string,
    only: { requestId?: string; after?: [string, string] | null; limit?: number },
  ): Promise<(ReorientationRequestDto & { cursorAt: string })[]> {
    return this.dataSource.query(
      `SELECT r.id, r.beneficiary_id AS "beneficiaryId", r.requested_path AS "requestedPath",
              r.requested_referent_body AS "requestedReferentBody", o.referent_body AS "previousReferentBody",
              r.reason, r.status, r.decision_reason AS "decisionReason",
              to_char(r.requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "requestedAt",
              to_char(r.decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "decidedAt",
              ${isoMicros('r.requested_at')} AS "cursorAt"
         FROM reorientation_requests r
         LEFT JOIN orientations o ON o.id = r.from_orientation_id
        WHERE r.beneficiary_id = $1 AND ($2::uuid IS NULL OR r.id = $2)
          AND ($3::timestamptz IS NULL OR (r.requested_at, r.id) < ($3::timestamptz, $4::uuid))
        ORDER BY r.requested_at DESC, r.id DESC
        LIMIT $5`,
      [beneficiaryId, only.requestId ?? null, only.after?.[0] ?? null, only.after?.[1] ?? null, only.limit ?? 1],
    );
  }
}

export function toOrientationDto(o: Orientation): OrientationDto {
  return { id: o.id, path: o.path, referentBody: o.referentBody, decidedOn: o.decidedOn, reason: o.reason, endedOn: o.endedOn, decidedBy: o.decidedBy, vulnerable: o.vulnerable };
}
