import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator';
import { Role, Scope } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { IdParam } from '../../common/http/id-param';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { CreateReferralDto, ListReferralsQueryDto, ReferralDto, ReferralReasonDto } from './dto/referral.dto';
import { ReferralAction } from './referral-transitions';
import { ReferralsService } from './referrals.service';

const PRESCRIBERS = [Role.Admin, Role.AgencyManager, Role.Advisor];
const PROVIDERS = [Role.Admin, Role.Provider];
const READERS = [Role.Admin, Role.AgencyManager, Role.Advisor, Role.Provider];

@ApiTags('referrals')
@Controller('referrals')
export class ReferralsController {
  constructor(private readonly referrals: ReferralsService) {}

  @Post()
  @Access({ roles: PRESCRIBERS, scopes: [Scope.ReferralsWrite] })
  @ApiOperation({
    operationId: 'createReferral',
    summary: 'Refer an oriented person to a programme: `submitted`, or `waitlisted` when every place is held.',
    description: 'Admins and the staff of the person\'s agency (any advisor of it). 422 NOT_ELIGIBLE when the person is not oriented on an eligible path.',
  })
  @ApiNotFoundResponse({ description: 'BENEFICIARY_NOT_FOUND: no person in the scope of the caller has this id.' })
  @ApiCreatedResponse({ type: ReferralDto })
  @ApiConflictResponse({ description: 'REFERRAL_ALREADY_OPEN' })
  @ApiUnprocessableEntityResponse({ description: 'NOT_ELIGIBLE' })
  create(@CurrentActor() actor: Actor, @Body() body: CreateReferralDto): Promise<ReferralDto> {
    return this.referrals.create(actor, body);
  }

  @Get()
  @Access({ roles: READERS, scopes: [Scope.ReferralsRead] })
  @ApiOperation({ operationId: 'listReferrals', summary: 'Referrals, newest first: agency staff their agency\'s people, provider staff their programmes.' })
  @ApiPageResponse(ReferralDto)
  list(@CurrentActor() actor: Actor, @Query() query: ListReferralsQueryDto): Promise<Page<ReferralDto>> {
    return this.referrals.list(actor.principal, query);
  }

  @Get(':id')
  @Access({ roles: READERS, scopes: [Scope.ReferralsRead] })
  @ApiOperation({ operationId: 'getReferral', summary: 'One referral, with the minimal identity of the person.' })
  @ApiOkResponse({ type: ReferralDto })
  get(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<ReferralDto> {
    return this.referrals.get(actor.principal, id);
  }

  @Post(':id/accept')
  @HttpCode(200)
  @Access({ roles: PROVIDERS })
  @ApiOperation({ operationId: 'acceptReferral', summary: 'Accept a submitted referral: it holds one of the programme\'s places.', description: 'The programme\'s provider staff and admins.' })
  @ApiOkResponse({ type: ReferralDto })
  @ApiConflictResponse({ description: 'PLACE_CAPACITY_REACHED' })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_REFERRAL_TRANSITION' })
  accept(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<ReferralDto> {
    return this.referrals.act(actor, id, ReferralAction.Accept);
  }

  @Post(':id/decline')
  @HttpCode(200)
  @Access({ roles: PROVIDERS })
  @ApiOperation({ operationId: 'declineReferral', summary: 'Decline a submitted referral, with its reason.', description: 'The programme\'s provider staff and admins.' })
  @ApiOkResponse({ type: ReferralDto })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_REFERRAL_TRANSITION' })
  decline(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: ReferralReasonDto): Promise<ReferralDto> {
    return this.referrals.act(actor, id, ReferralAction.Decline, body.reason);
  }

  @Post(':id/start')
  @HttpCode(200)
  @Access({ roles: PROVIDERS })
  @ApiOperation({ operationId: 'startReferral', summary: 'The person started the programme.', description: 'The programme\'s provider staff and admins.' })
  @ApiOkResponse({ type: ReferralDto })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_REFERRAL_TRANSITION' })
  start(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<ReferralDto> {
    return this.referrals.act(actor, id, ReferralAction.Start);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Access({ roles: PROVIDERS })
  @ApiOperation({ operationId: 'completeReferral', summary: 'The person completed the programme; the place is freed.', description: 'The programme\'s provider staff and admins.' })
  @ApiOkResponse({ type: ReferralDto })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_REFERRAL_TRANSITION' })
  complete(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<ReferralDto> {
    return this.referrals.act(actor, id, ReferralAction.Complete);
  }

  @Post(':id/abandon')
  @HttpCode(200)
  @Access({ roles: PROVIDERS })
  @ApiOperation({ operationId: 'abandonReferral', summary: 'The person left the programme; the place is freed.', description: 'The programme\'s provider staff and admins.' })
  @ApiOkResponse({ type: ReferralDto })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_REFERRAL_TRANSITION' })
  abandon(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: ReferralReasonDto): Promise<ReferralDto> {
    return this.referrals.act(actor, id, ReferralAction.Abandon, body.reason);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Access({ roles: PRESCRIBERS, scopes: [Scope.ReferralsWrite] })
  @ApiOperation({ operationId: 'cancelReferral', summary: 'Withdraw a submitted, waitlisted or accepted referral; an accepted one frees its place.', description: 'Admins and the staff of the person\'s agency.' })
  @ApiOkResponse({ type: ReferralDto })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_REFERRAL_TRANSITION' })
  cancel(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: ReferralReasonDto): Promise<ReferralDto> {
    return this.referrals.act(actor, id, ReferralAction.Cancel, body.reason);
  }
}
