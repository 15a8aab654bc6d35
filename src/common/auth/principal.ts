import { PrincipalRole } from './roles';

/** Who is calling: a staff user or a machine client, as proven by the access token. */
export interface Principal {
  kind: 'user' | 'client';
  id: string;
  role: PrincipalRole;
  agencyId: string | null;
  providerId: string | null;
  scopes: string[];
}

/** Claims of an access token (HS256, 15 minutes). */
export interface AccessTokenClaims {
  sub: string;
  typ: 'user' | 'client';
  role: PrincipalRole;
  agencyId?: string | null;
  providerId?: string | null;
  scope?: string;
}
