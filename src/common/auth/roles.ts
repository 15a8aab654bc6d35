/** Staff roles (domain.md §2). Machine clients have the pseudo-role `integration`. */
export enum Role {
  Admin = 'admin',
  AgencyManager = 'agency_manager',
  Advisor = 'advisor',
  Provider = 'provider',
  Analyst = 'analyst',
}

export const INTEGRATION = 'integration' as const;
export type PrincipalRole = Role | typeof INTEGRATION;

export const STAFF_ROLES = Object.values(Role);

/** Scopes a machine client may be granted. */
export enum Scope {
  ReferenceRead = 'reference:read',
  BeneficiariesRead = 'beneficiaries:read',
  BeneficiariesWrite = 'beneficiaries:write',
  ProgrammesRead = 'programmes:read',
  ReferralsRead = 'referrals:read',
  ReferralsWrite = 'referrals:write',
  ConstructionRead = 'construction:read',
  ConstructionWrite = 'construction:write',
  WebhooksManage = 'webhooks:manage',
  MetricsRead = 'metrics:read',
}

export const ALL_SCOPES = Object.values(Scope);
