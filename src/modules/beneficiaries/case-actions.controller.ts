import { Body, Controller, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator';
import { Role, Scope } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { IdParam } from '../../common/http/id-param';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { AuditRead } from '../audit/audit-read.interceptor';
import { BeneficiariesService } from './beneficiaries.service';
import { ContractsService } from './contracts.service';
import { BeneficiaryDto } from './dto/beneficiary.dto';
import { OrientationDto, OrientationInputDto, ReorientationDecisionDto, ReorientationRequestDto, ReorientationRequestInputDto } from './dto/case-actions.dto';
import { ContractDto, CreateContractDto, EndContractDto, SignContractDto, UpdateContractDto } from './dto/contract.dto';
import { OrientationsService } from './orientations.service';

const STAFF = [Role.Admin, Role.AgencyManager, Role.Advisor];
const MANAGERS = [Role.Admin, Role.AgencyManager];

@ApiTags('orientation')
@Controller('beneficiaries/:id')
export class OrientationsController {
  constructor(
    private readonly orientations: OrientationsService,
    private readonly beneficiaries: BeneficiariesService,
  ) {}

  @Post('orientation')
  @HttpCode(200)
  @Access({ roles: MANAGERS, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'orientBeneficiary', summary: 'Decide the orientation (path and referent body); it ends the previous one.' })
  @ApiOkResponse({ type: BeneficiaryDto })
  async orient(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: OrientationInputDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<BeneficiaryDto> {
    const b = this.beneficiaries.toDto(actor.principal, await this.orientations.orient(actor, id, body));
    void reply.header('etag', `"${b.version}"`);
    return b;
  }

  @Get('orientations')
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesRead] })
  @AuditRead('beneficiary')
  @ApiOperation({ operationId: 'listOrientations', summary: 'The orientation history, newest first, a page at a time.' })
  @ApiPageResponse(OrientationDto)
  history(@CurrentActor() actor: Actor, @IdParam() id: string, @Query() query: PaginationQueryDto): Promise<Page<OrientationDto>> {
    return this.orientations.history(actor.principal, id, query);
  }

  @Post('reorientation-requests')
  @Access({ roles: STAFF })
  @ApiOperation({ operationId: 'requestReorientation', summary: 'Ask for a new orientation, with the reason.' })
  @ApiConflictResponse({ description: 'REORIENTATION_PENDING: a request is already waiting for a decision.' })
  @ApiCreatedResponse({ type: ReorientationRequestDto })
  request(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: ReorientationRequestInputDto): Promise<ReorientationRequestDto> {
    return this.orientations.request(actor, id, body);
  }

  @Get('reorientation-requests')
  @Access({ roles: STAFF })
  @AuditRead('beneficiary')
  @ApiOperation({ operationId: 'listReorientationRequests', summary: 'The reorientation requests of the case, newest first, a page at a time.' })
  @ApiPageResponse(ReorientationRequestDto)
  requests(@CurrentActor() actor: Actor, @IdParam() id: string, @Query() query: PaginationQueryDto): Promise<Page<ReorientationRequestDto>> {
    return this.orientations.requests(actor.principal, id, query);
  }

  @Post('reorientation-requests/:requestId/accept')
  @HttpCode(200)
  @Access({ roles: MANAGERS })
  @ApiOperation({ operationId: 'acceptReorientation', summary: 'Accept: the requested orientation is decided today.' })
  @ApiUnprocessableEntityResponse({ description: 'REORIENTATION_ALREADY_DECIDED' })
  @ApiOkResponse({ type: ReorientationRequestDto })
  accept(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('requestId') requestId: string, @Body() body: ReorientationDecisionDto): Promise<ReorientationRequestDto> {
    return this.orientations.decideRequest(actor, id, requestId, true, body.reason);
  }

  @Post('reorientation-requests/:requestId/deny')
  @HttpCode(200)
  @Access({ roles: MANAGERS })
  @ApiOperation({ operationId: 'denyReorientation', summary: 'Deny, with the reason told to the referent.' })
  @ApiUnprocessableEntityResponse({ description: 'REORIENTATION_ALREADY_DECIDED' })
  @ApiOkResponse({ type: ReorientationRequestDto })
  deny(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('requestId') requestId: string, @Body() body: ReorientationDecisionDto): Promise<ReorientationRequestDto> {
    return this.orientations.decideRequest(actor, id, requestId, false, body.reason);
  }
}

@ApiTags('contracts')
@Controller('beneficiaries/:id/contracts')
export class ContractsController {
  constructor(private readonly contracts: ContractsService) {}

  @Post()
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'createContract', summary: "Draft a contrat d'engagement (15 h a week unless justified)." })
  @ApiConflictResponse({ description: 'CONTRACT_ALREADY_OPEN: the person already has a draft or signed contract.' })
  @ApiCreatedResponse({ type: ContractDto })
  create(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: CreateContractDto): Promise<ContractDto> {
    return this.contracts.create(actor, id, body);
  }

  @Get()
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesRead] })
  @AuditRead('beneficiary')
  @ApiOperation({ operationId: 'listContracts', summary: 'The contracts of the case, newest first, a page at a time.' })
  @ApiPageResponse(ContractDto)
  list(@CurrentActor() actor: Actor, @IdParam() id: string, @Query() query: PaginationQueryDto): Promise<Page<ContractDto>> {
    return this.contracts.list(actor.principal, id, query);
  }

  @Get(':contractId')
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesRead] })
  @AuditRead('beneficiary')
  @ApiOperation({ operationId: 'getContract', summary: 'One contract.' })
  @ApiOkResponse({ type: ContractDto })
  get(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('contractId') contractId: string): Promise<ContractDto> {
    return this.contracts.get(actor.principal, id, contractId);
  }

  @Patch(':contractId')
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'updateContract', summary: 'Change a draft contract.' })
  @ApiOkResponse({ type: ContractDto })
  update(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('contractId') contractId: string, @Body() body: UpdateContractDto): Promise<ContractDto> {
    return this.contracts.update(actor, id, contractId, body);
  }

  @Post(':contractId/sign')
  @HttpCode(200)
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'signContract', summary: 'Record the signature: the case enters its pathway.' })
  @ApiUnprocessableEntityResponse({ description: 'CONTRACT_NOT_DRAFT: the contract is already signed or ended.' })
  @ApiOkResponse({ type: ContractDto })
  sign(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('contractId') contractId: string, @Body() body: SignContractDto): Promise<ContractDto> {
    return this.contracts.sign(actor, id, contractId, body.signedOn);
  }

  @Post(':contractId/end')
  @HttpCode(200)
  @Access({ roles: STAFF, scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'endContract', summary: 'End a signed contract (a new one is then due).' })
  @ApiUnprocessableEntityResponse({ description: 'CONTRACT_NOT_SIGNED: only a signed contract can end.' })
  @ApiOkResponse({ type: ContractDto })
  end(@CurrentActor() actor: Actor, @IdParam() id: string, @IdParam('contractId') contractId: string, @Body() body: EndContractDto): Promise<ContractDto> {
    return this.contracts.end(actor, id, contractId, body.endedOn);
  }
}
