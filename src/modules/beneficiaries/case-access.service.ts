import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { INTEGRATION, Role } from '../../common/auth/roles';
import { beneficiaryNotFound, notInCaseload } from './beneficiaries.errors';
import { Beneficiary } from './entities/beneficiary.entity';

/**
 * Who may see and change which case. Seeing: admins and machine clients with a
 * beneficiaries scope, every case; agency staff, the cases of their agency. Providers see
 * only the people referred to their programmes, in their minimal view (`referredScope`,
 * `ReferredBeneficiaryDto`), never the case file itself.
 * Changing: advisors only their caseload and the unassigned cases of their agency.
 */
@Injectable()
export class CaseAccessService {
  constructor(private readonly dataSource: DataSource) {}

  /** SQL condition on alias `b` restricting to the visible cases; pushes its parameters. */
  scopeCondition(principal: Principal, params: unknown[]): string {
    if (principal.role === Role.Admin || principal.role === INTEGRATION) return 'b.anonymised_at IS NULL';
    if ((principal.role === Role.AgencyManager || principal.role === Role.Advisor) && principal.agencyId) {
      params.push(principal.agencyId);
      return `b.agency_id = $${params.length} AND b.anonymised_at IS NULL`;
    }
    return 'FALSE';
  }

  /** SQL condition on alias `b`: the people referred to the provider's programmes (any referral status), for its minimal view only. */
  referredScope(principal: Principal, params: unknown[]): string {
    if (principal.role !== Role.Provider || !principal.providerId) return 'FALSE';
    params.push(principal.providerId);
    return `b.id IN (SELECT r.beneficiary_id FROM referrals r JOIN programmes p ON p.id = r.programme_id WHERE p.provider_id = $${params.length}) AND b.anonymised_at IS NULL`;
  }

  canSee(principal: Principal, b: Pick<Beneficiary, 'agencyId'>): boolean {
    if (principal.role === Role.Admin || principal.role === INTEGRATION) return true;
    if (principal.role === Role.AgencyManager || principal.role === Role.Advisor) return b.agencyId !== null && b.agencyId === principal.agencyId;
    return false;
  }

  /** Sees health barriers, the NIR and the journal: admins and the person's agency staff. */
  seesSensitive(principal: Principal, b: Pick<Beneficiary, 'agencyId'>): boolean {
    return principal.role === Role.Admin || ((principal.role === Role.AgencyManager || principal.role === Role.Advisor) && this.canSee(principal, b));
  }

  /** The case, or 404 when it does not exist or lies outside the caller's scope. */
  async findVisible(principal: Principal, id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<Beneficiary> {
    const b = await manager.findOne(Beneficiary, { where: { id, anonymisedAt: IsNull() }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    if (!b || !this.canSee(principal, b)) throw beneficiaryNotFound();
    return b;
  }

  /** The case locked for a change by the caller (404 outside scope, 403 outside an advisor's caseload). */
  async findWritable(principal: Principal, id: string, manager: EntityManager): Promise<Beneficiary> {
    const b = await this.findVisible(principal, id, manager, true);
    if (principal.role === Role.Advisor && b.advisorId !== null && b.advisorId !== principal.id) throw notInCaseload();
    return b;
  }
}
