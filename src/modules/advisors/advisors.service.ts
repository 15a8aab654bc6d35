import { Injectable } from '@nestjs/common';
import { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/roles';
import { Actor } from '../../common/context/actor';
import { AppException } from '../../common/errors/app.exception';
import { Page } from '../../common/pagination/pagination';
import { UserDto } from '../users/dto/user.dto';
import { BeneficiariesService } from '../beneficiaries/beneficiaries.service';
import { BeneficiarySummaryDto } from '../beneficiaries/dto/beneficiary.dto';
import { UsersService } from '../users/users.service';
import { AdvisorDto, ListAdvisorsQueryDto } from './dto/advisor.dto';

const advisorNotFound = () => new AppException(404, 'ADVISOR_NOT_FOUND', 'The advisor was not found.');

/** Advisors are the users with role `advisor`; agency staff see those of their agency. */
@Injectable()
export class AdvisorsService {
  constructor(
    private readonly users: UsersService,
    private readonly beneficiaries: BeneficiariesService,
  ) {}

  async list(principal: Principal, query: ListAdvisorsQueryDto): Promise<Page<AdvisorDto>> {
    const agencyId = principal.role === Role.Admin ? query.agencyId : principal.agencyId!;
    const page = await this.users.listAdvisors(agencyId, query);
    return { data: await this.withCaseload(page.data), page: page.page };
  }

  async get(principal: Principal, id: string): Promise<AdvisorDto> {
    const [advisor] = await this.withCaseload([await this.visibleAdvisor(principal, id)]);
    return advisor;
  }

  async setCapacity(actor: Actor, id: string, caseloadCapacity: number): Promise<AdvisorDto> {
    await this.visibleAdvisor(actor.principal, id);
    const [advisor] = await this.withCaseload([await this.users.setCaseloadCapacity(actor, id, caseloadCapacity)]);
    return advisor;
  }

  /** The advisor's open cases, as the beneficiary list shows them. */
  async caseload(principal: Principal, id: string, query: { limit: number; cursor?: string }): Promise<Page<BeneficiarySummaryDto>> {
    await this.visibleAdvisor(principal, id);
    return this.beneficiaries.listCases(principal, { limit: query.limit, cursor: query.cursor, advisorId: id });
  }

  private async withCaseload(users: UserDto[]): Promise<AdvisorDto[]> {
    const counts = await this.beneficiaries.caseloadCounts(users.map((u) => u.id));
    return users.map((u) => ({ ...toAdvisorDto(u), ...(counts.get(u.id) ?? { caseloadSize: 0, overdueCount: 0 }) }));
  }

  private async visibleAdvisor(principal: Principal, id: string): Promise<UserDto> {
    const user = await this.users.findDto(id);
    const visible = user?.role === Role.Advisor && (principal.role === Role.Admin || user.agencyId === principal.agencyId);
    if (!visible) throw advisorNotFound();
    return user;
  }
}

function toAdvisorDto(u: UserDto): Omit<AdvisorDto, 'caseloadSize' | 'overdueCount'> {
  return {
    id: u.id,
    firstName: u.firstName,
    lastName: u.lastName,
    email: u.email,
    agencyId: u.agencyId!,
    caseloadCapacity: u.caseloadCapacity,
    active: u.active,
  };
}
