import { Body, Controller, Get, Patch, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../../common/http/id-param';
import { Access } from '../../common/auth/access.decorator';
import { Role } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { PaginationQueryDto } from '../../common/pagination/pagination-query.dto';
import { BeneficiarySummaryDto } from '../beneficiaries/dto/beneficiary.dto';
import { AdvisorsService } from './advisors.service';
import { AdvisorDto, ListAdvisorsQueryDto, UpdateAdvisorDto } from './dto/advisor.dto';

@ApiTags('advisors')
@Controller('advisors')
export class AdvisorsController {
  constructor(private readonly advisors: AdvisorsService) {}

  @Get()
  @Access({ roles: [Role.Admin, Role.AgencyManager, Role.Advisor] })
  @ApiOperation({ operationId: 'listAdvisors', summary: 'Advisors by last name (agency staff: their agency).' })
  @ApiPageResponse(AdvisorDto)
  list(@CurrentActor() actor: Actor, @Query() query: ListAdvisorsQueryDto): Promise<Page<AdvisorDto>> {
    return this.advisors.list(actor.principal, query);
  }

  @Get(':id')
  @Access({ roles: [Role.Admin, Role.AgencyManager, Role.Advisor] })
  @ApiOperation({ operationId: 'getAdvisor', summary: 'One advisor.' })
  @ApiOkResponse({ type: AdvisorDto })
  get(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<AdvisorDto> {
    return this.advisors.get(actor.principal, id);
  }

  @Get(':id/caseload')
  @Access({ roles: [Role.Admin, Role.AgencyManager, Role.Advisor] })
  @ApiOperation({ operationId: 'getAdvisorCaseload', summary: "The advisor's cases, by name." })
  @ApiPageResponse(BeneficiarySummaryDto)
  caseload(@CurrentActor() actor: Actor, @IdParam() id: string, @Query() query: PaginationQueryDto): Promise<Page<BeneficiarySummaryDto>> {
    return this.advisors.caseload(actor.principal, id, query);
  }

  @Patch(':id')
  @Access({ roles: [Role.Admin, Role.AgencyManager] })
  @ApiOperation({ operationId: 'updateAdvisorCapacity', summary: 'Set how many beneficiaries the advisor can follow.' })
  @ApiOkResponse({ type: AdvisorDto })
  update(@CurrentActor() actor: Actor, @IdParam() id: string, @Body() body: UpdateAdvisorDto): Promise<AdvisorDto> {
    return this.advisors.setCapacity(actor, id, body.caseloadCapacity);
  }
}
