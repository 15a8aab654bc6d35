/** Kinds of insertion programme (domain.md §4). */
export enum ProgrammeType {
  Remobilisation = 'remobilisation',
  ProjectBuilding = 'project_building',
  Training = 'training',
  FrenchLanguage = 'french_language',
  DigitalInclusion = 'digital_inclusion',
  DirectEmployment = 'direct_employment',
  BusinessCreation = 'business_creation',
  BarrierRemoval = 'barrier_removal',
}

/** How programmes' occupancy can be summed up. */
export enum OccupancyGrouping {
  Programme = 'programme',
  Type = 'type',
  Provider = 'provider',
  Ept = 'ept',
}
