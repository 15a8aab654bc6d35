import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, Not } from 'typeorm';
import { violatedConstraint } from '../../common/errors/database-errors';
import { Principal } from '../../common/auth/principal';
import { Actor } from '../../common/context/actor';
import { AuditService } from '../audit/audit.service';
import { CaseAccessService } from '../beneficiaries/case-access.service';
import { CaseFileService } from '../beneficiaries/case-file.service';
import { Beneficiary } from '../beneficiaries/entities/beneficiary.entity';
import { canMoveAction, isFinalAction } from './action-plan-rules';
import { isSensitiveTheme, SENSITIVE_THEMES, themeData, themeLabel } from './barrier.enums';
import { actionClosed, actionNotFound, focusAlreadyExists, focusNotFound, invalidActionTransition, sensitiveThemeNotAllowed, targetNotFound } from './barriers.errors';
import {
  ActionPlanActionDto,
  ActionPlanDto,
  ActionPlanFocusDto,
  ActionPlanTargetDto,
  CreateActionDto,
  CreateFocusDto,
  CreateTargetDto,
  UpdateActionDto,
} from './dto/action-plan.dto';
import { ActionPlanAction } from './entities/action-plan-action.entity';
import { ActionPlanFocus } from './entities/action-plan-focus.entity';
import { ActionPlanTarget } from './entities/action-plan-target.entity';

const ORDER = { createdAt: 'ASC', id: 'ASC' } as const;

/**
 * The action plan of a case: focuses (themes) → targets → actions. A focus on a
 * sensitive theme, with everything under it, exists only for admins and the
 * person's agency staff.
 */
@Injectable()
export class ActionPlanService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: CaseAccessService,
    private readonly caseFile: CaseFileService,
    private readonly audit: AuditService,
  ) {}

  async get(principal: Principal, beneficiaryId: string): Promise<ActionPlanDto> {
    const b = await this.access.findVisible(principal, beneficiaryId);
    const manager = this.dataSource.manager;
    const focuses = await manager.find(ActionPlanFocus, { where: { beneficiaryId, ...this.themeFilter(principal, b) }, order: ORDER });
    const targets = focuses.length ? await manager.find(ActionPlanTarget, { where: { beneficiaryId, focusId: In(focuses.map((f) => f.id)) }, order: ORDER }) : [];
    const actions = targets.length ? await manager.find(ActionPlanAction, { where: { beneficiaryId, targetId: In(targets.map((t) => t.id)) }, order: ORDER }) : [];
    const actionsOf = groupBy(actions.map(toActionDto), (a) => a.targetId);
    const targetsOf = groupBy(
      targets.map((t) => toTargetDto(t, actionsOf.get(t.id) ?? [])),
      (t) => t.focusId,
    );
    return { beneficiaryId, focuses: focuses.map((f) => toFocusDto(f, targetsOf.get(f.id) ?? [])) };
  }

  async addFocus(actor: Actor, beneficiaryId: string, input: CreateFocusDto): Promise<ActionPlanFocusDto> {
    return this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      if (isSensitiveTheme(input.theme) && !this.access.seesSensitive(actor.principal, b)) throw sensitiveThemeNotAllowed();
      const focus = await manager
        .save(manager.create(ActionPlanFocus, { beneficiaryId, theme: input.theme, title: input.title ?? null, createdBy: createdBy(actor) }))
        .catch((e: unknown) => {
          if (violatedConstraint(e) === 'uq_action_plan_focuses_theme') throw focusAlreadyExists();
          throw e;
        });
      await this.caseFile.event(manager, actor, b, {
        type: 'action_plan.focus_added',
        summary: themeLabel('Action plan focus added', focus.theme),
        data: { focusId: focus.id, ...themeData(focus.theme) },
        sensitive: isSensitiveTheme(focus.theme),
      });
      await this.audit.record(actor, { action: 'action_plan_focus.create', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { focusId: focus.id, theme: focus.theme } }, manager);
      return toFocusDto(focus, []);
    });
  }

  async addTarget(actor: Actor, beneficiaryId: string, focusId: string, input: CreateTargetDto): Promise<ActionPlanTargetDto> {
    return this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      const focus = await manager.findOne(ActionPlanFocus, { where: { id: focusId, beneficiaryId, ...this.themeFilter(actor.principal, b) } });
      if (!focus) throw focusNotFound();
      const target = await manager.save(manager.create(ActionPlanTarget, { beneficiaryId, focusId, title: input.title, createdBy: createdBy(actor) }));
      await this.caseFile.event(manager, actor, b, {
        type: 'action_plan.target_added',
        summary: themeLabel('Action plan target added', focus.theme),
        data: { focusId, targetId: target.id, ...themeData(focus.theme) },
        sensitive: isSensitiveTheme(focus.theme),
      });
      await this.audit.record(actor, { action: 'action_plan_target.create', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { focusId, targetId: target.id } }, manager);
      return toTargetDto(target, []);
    });
  }

  async addAction(actor: Actor, beneficiaryId: string, targetId: string, input: CreateActionDto): Promise<ActionPlanActionDto> {
    return this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      const focus = await this.focusOfTarget(manager, actor.principal, b, targetId);
      if (!focus) throw targetNotFound();
      const action = await manager.save(
        manager.create(ActionPlanAction, {
          beneficiaryId,
          targetId,
          title: input.title,
          dueOn: input.dueOn ?? null,
          programmeId: input.programmeId ?? null,
          createdBy: createdBy(actor),
        }),
      );
      await this.caseFile.event(manager, actor, b, {
        type: 'action_plan.action_added',
        summary: themeLabel('Action planned', focus.theme),
        data: { targetId, actionId: action.id, dueOn: action.dueOn, ...themeData(focus.theme) },
        sensitive: isSensitiveTheme(focus.theme),
      });
      await this.audit.record(actor, { action: 'action_plan_action.create', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { targetId, actionId: action.id } }, manager);
      return toActionDto(action);
    });
  }

  async updateAction(actor: Actor, beneficiaryId: string, actionId: string, input: UpdateActionDto): Promise<ActionPlanActionDto> {
    return this.dataSource.transaction(async (manager) => {
      const b = await this.access.findWritable(actor.principal, beneficiaryId, manager);
      const action = await manager.findOne(ActionPlanAction, { where: { id: actionId, beneficiaryId }, lock: { mode: 'pessimistic_write' } });
      if (!action) throw actionNotFound();
      const focus = await this.focusOfTarget(manager, actor.principal, b, action.targetId);
      if (!focus) throw actionNotFound();
      const fields = Object.keys(input).filter((k) => input[k as keyof UpdateActionDto] !== undefined);
      if (fields.length === 0) return toActionDto(action);
      const from = action.status;
      if (isFinalAction(from)) throw actionClosed(from);
      if (input.status !== undefined && input.status !== from && !canMoveAction(from, input.status)) throw invalidActionTransition(from, input.status);
      if (input.title !== undefined) action.title = input.title;
      if (input.dueOn !== undefined) action.dueOn = input.dueOn;
      if (input.status !== undefined) action.status = input.status;
      const saved = await manager.save(action);
      const statusChanged = saved.status !== from;
      await this.caseFile.event(manager, actor, b, {
        type: statusChanged ? 'action_plan.action_status_changed' : 'action_plan.action_updated',
        summary: themeLabel(statusChanged ? `Action ${saved.status.replace('_', ' ')}` : 'Action updated', focus.theme),
        data: { actionId, ...(statusChanged ? { from, to: saved.status } : {}), ...themeData(focus.theme) },
      });
      await this.audit.record(
        actor,
        { action: 'action_plan_action.update', resourceType: 'beneficiary', resourceId: beneficiaryId, details: { actionId, fields, ...(statusChanged ? { from, to: saved.status } : {}) } },
        manager,
      );
      return toActionDto(saved);
    });
  }

  /** `theme` condition hiding sensitive focuses from callers who may not see them. */
  private themeFilter(principal: Principal, b: Beneficiary) {
    return this.access.seesSensitive(principal, b) ? {} : { theme: Not(In([...SENSITIVE_THEMES])) };
  }

  /** The focus above a target of this case; null when either is absent or the focus is hidden from the caller. */
  private async focusOfTarget(manager: EntityManager, principal: Principal, b: Beneficiary, targetId: string): Promise<ActionPlanFocus | null> {
    const target = await manager.findOne(ActionPlanTarget, { where: { id: targetId, beneficiaryId: b.id } });
    if (!target) return null;
    return manager.findOne(ActionPlanFocus, { where: { id: target.focusId, beneficiaryId: b.id, ...this.themeFilter(principal, b) } });
  }
}

const createdBy = (actor: Actor) => (actor.principal.kind === 'user' ? actor.principal.id : null);

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

export function toActionDto(a: ActionPlanAction): ActionPlanActionDto {
  return {
    id: a.id,
    targetId: a.targetId,
    title: a.title,
    status: a.status,
    dueOn: a.dueOn,
    programmeId: a.programmeId,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function toTargetDto(t: ActionPlanTarget, actions: ActionPlanActionDto[]): ActionPlanTargetDto {
  return { id: t.id, focusId: t.focusId, title: t.title, createdAt: t.createdAt.toISOString(), actions };
}

export function toFocusDto(f: ActionPlanFocus, targets: ActionPlanTargetDto[]): ActionPlanFocusDto {
  return { id: f.id, theme: f.theme, title: f.title, createdAt: f.createdAt.toISOString(), targets };
}
