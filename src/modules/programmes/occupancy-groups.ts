import { OccupancyGrouping } from './programme.enums';

/**
 * How programmes (alias `p`) are grouped for occupancy figures: the SQL of the
 * group's key and label, and the join they need. Shared by the programmes'
 * occupancy and the programmes report, so that both group alike.
 */
export const OCCUPANCY_GROUPS: Record<OccupancyGrouping, { key: string; label: string; join: string }> = {
  [OccupancyGrouping.Programme]: { key: 'p.id::text', label: "p.code || ' ' || p.name", join: '' },
  [OccupancyGrouping.Type]: { key: 'p.type::text', label: 'p.type::text', join: '' },
  [OccupancyGrouping.Provider]: { key: 'pr.id::text', label: 'pr.name', join: 'JOIN providers pr ON pr.id = p.provider_id' },
  [OccupancyGrouping.Ept]: { key: 'c.ept_code', label: 'c.ept_name', join: 'JOIN communes c ON c.insee_code = p.commune_code' },
};
