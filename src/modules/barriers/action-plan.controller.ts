import { Body, Controller, Get, Patch, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator';
import { Role, Scope } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { IdParam } from '../../common/http/id-param';
import { AuditRead } from '../audit/audit-read.interceptor';
import { ActionPlanService } from './action-plan.service';
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

const STAFF = [Role.Admin, Role.AgencyManager, Role.Advisor];

@ApiTags('action plan')
@Controller('beneficiaries/:id/action-plan')
export class ActionPlanController {
  constructor(private readonly plans: ActionPlanService) {}

  @Get()
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesRead] })
  @AuditRead('beneficiary')
  @ApiOperation({
    operationId: 'getActionPlan',
    summary: 'The whole action plan: focuses → targets → actions.',
    description: 'A focus on the theme `health`, with its targets and actions, is seen only by admins and the agency staff of the person.',
  })
  @ApiOkResponse({ type: ActionPlanDto })
  get(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<ActionPlanDto> {
    return this.plans.get(actor.principal, id);
  }

  @Post('focuses')
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'createActionPlanFocus', summary: 'Add a focus (a theme) to the plan; one focus per theme.' })
  @ApiCreatedResponse({ type: ActionPlanFocusDto })
  @ApiConflictResponse({ description: 'FOCUS_ALREADY_EXISTS: the plan has a focus on this theme.' })
  addFocus(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: CreateFocusDto): Promise<ActionPlanFocusDto> {
    return this.plans.addFocus(actor, id, body);
  }

  @Post('focuses/:focusId/targets')
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'createActionPlanTarget', summary: 'Add a target (an objective) under a focus.' })
  @ApiCreatedResponse({ type: ActionPlanTargetDto })
  addTarget(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('focusId') focusId: string, @Body() body: CreateTargetDto): Promise<ActionPlanTargetDto> {
    return this.plans.addTarget(actor, id, focusId, body);
  }

  @Post('targets/:targetId/actions')
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'createActionPlanAction', summary: 'Plan an action towards a target (status `planned`).' })
  @ApiCreatedResponse({ type: ActionPlanActionDto })
  addAction(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('targetId') targetId: string, @Body() body: CreateActionDto): Promise<ActionPlanActionDto> {
    return this.plans.addAction(actor, id, targetId, body);
  }

  @Patch('actions/:actionId')
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'updateActionPlanAction', summary: 'Change an action: title, due date, status (done, abandoned and cancelled are final).' })
  @ApiOkResponse({ type: ActionPlanActionDto })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_ACTION_TRANSITION: the status cannot move this way, or the action is closed.' })
  updateAction(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('actionId') actionId: string, @Body() body: UpdateActionDto): Promise<ActionPlanActionDto> {
    return this.plans.updateAction(actor, id, actionId, body);
  }
}
