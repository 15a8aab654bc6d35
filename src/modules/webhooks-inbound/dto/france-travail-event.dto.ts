import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsCalendarDate } from '../../../common/validation/dates';
import { IsNir, NIR_MAX_LENGTH } from '../../../common/validation/nir';

/** The event types France Travail sends (api.md, "Webhooks"). */
export const FRANCE_TRAVAIL_EVENT_TYPES = [
  'jobseeker.registered',
  'jobseeker.deregistered',
  'orientation.decided',
  'appointment.updated',
  'employment.started',
  'training.started',
] as const;
export type FranceTravailEventType = (typeof FRANCE_TRAVAIL_EVENT_TYPES)[number];

/** France Travail path codes → our orientation paths (domain.md §3). */
export const FT_PATHS = { PED: 'professional', PSO: 'socio_professional', PSP: 'social' } as const;

/** Type of the organisme référent in France Travail's decision → our referent body. */
export const FT_ORGANISMES = {
  FT: 'france_travail',
  CD: 'departement',
  DEL: 'delegate',
  ML: 'mission_locale',
  CAP: 'cap_emploi',
} as const;

/** France Travail partner appointment statuses (rendez-vous-partenaire). */
export const FT_APPOINTMENT_STATUSES = { PRIS: 'booked', EFFECTUE: 'attended', MODIFIE: 'rescheduled', ABSENT: 'missed', ANNULE: 'cancelled' } as const;

export const CONTRACT_TYPES = ['cdi', 'cdd', 'interim', 'apprenticeship', 'professionalisation', 'iae', 'business_creation'] as const;

const trimUpper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/[\s.-]/g, '').toUpperCase() : value);
/** Separators dropped from a NIR of at most NIR_MAX_LENGTH characters; a longer one reaches @IsNir as sent (refused). */
const nirInput = ({ value }: { value: unknown }) => (typeof value === 'string' && value.length <= NIR_MAX_LENGTH ? trimUpper({ value }) : value);
const padCaf = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,7}$/.test(value.trim()) ? value.trim().padStart(7, '0') : value);

/**
 * Who the event is about. At least one of: `franceTravailId`; `nir` and `birthDate`;
 * `cafNumber` and `birthDate`. Matched in that order against the beneficiaries.
 */
export class FranceTravailPersonDto {
  /** France Travail identifier. @example "FT1234567A" */
  @IsOptional()
  @Matches(/^[A-Za-z0-9]{4,20}$/, { message: 'franceTravailId must be 4 to 20 letters or digits' })
  @MaxLength(20)
  franceTravailId?: string;

  /** NIR, 15 characters with a valid key. Used to match only: never stored in clear. @example "185079306612345" */
  @IsOptional()
  @Transform(nirInput)
  @IsNir()
  nir?: string;

  /** CAF/MSA file number, up to 7 digits. @example "1234567" */
  @IsOptional()
  @Transform(padCaf)
  @Matches(/^\d{7}$/, { message: 'cafNumber must be 1 to 7 digits' })
  @MaxLength(7)
  cafNumber?: string;

  /** @example "1985-07-14" */
  @IsOptional()
  @IsCalendarDate()
  birthDate?: string;
}

/** `franceTravailId` is required here: it is the identifier recorded on the person. */
export class JobseekerRegisteredDataDto extends FranceTravailPersonDto {
  /** @example "2026-11-02" */
  @IsCalendarDate()
  registeredOn!: string;
}

export class JobseekerDeregisteredDataDto extends FranceTravailPersonDto {
  /** @example "2026-11-20" */
  @IsCalendarDate()
  deregisteredOn!: string;

  /** France Travail's code of the reason, if given (no free text). @example "REPRISE_EMPLOI" */
  @IsOptional()
  @Matches(/^[A-Z0-9_]{1,40}$/, { message: 'reasonCode must be 1 to 40 capital letters, digits or underscores' })
  @MaxLength(40)
  reasonCode?: string;
}

export class OrientationDecidedDataDto extends FranceTravailPersonDto {
  /** PED → professional, PSO → socio_professional, PSP → social. */
  @ApiProperty({ enum: Object.keys(FT_PATHS) })
  @IsIn(Object.keys(FT_PATHS))
  path!: keyof typeof FT_PATHS;

  /** Type of the organisme référent: FT France Travail, CD conseil départemental, DEL délégataire, ML mission locale, CAP Cap emploi. */
  @ApiProperty({ enum: Object.keys(FT_ORGANISMES) })
  @IsIn(Object.keys(FT_ORGANISMES))
  organismeCode!: keyof typeof FT_ORGANISMES;

  /** @example "2026-11-05" */
  @IsCalendarDate()
  decidedOn!: string;
}

export class AppointmentUpdatedDataDto extends FranceTravailPersonDto {
  /** France Travail's appointment id. @example "RDV-000123" */
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'appointmentId must be 1 to 64 letters, digits, - or _' })
  @MaxLength(64)
  appointmentId!: string;

  @ApiProperty({ enum: Object.keys(FT_APPOINTMENT_STATUSES) })
  @IsIn(Object.keys(FT_APPOINTMENT_STATUSES))
  status!: keyof typeof FT_APPOINTMENT_STATUSES;

  /** @example "2026-12-01T09:30:00Z" */
  @IsISO8601({ strict: true })
  @MaxLength(40)
  scheduledAt!: string;
}

export class EmploymentStartedDataDto extends FranceTravailPersonDto {
  /** @example "2026-11-16" */
  @IsCalendarDate()
  startedOn!: string;

  /** @example "2027-05-15" */
  @IsOptional()
  @IsCalendarDate()
  endsOn?: string;

  @ApiProperty({ enum: CONTRACT_TYPES })
  @IsIn(CONTRACT_TYPES)
  contractType!: (typeof CONTRACT_TYPES)[number];

  /** ROME code of the job. @example "F1703" */
  @IsOptional()
  @Matches(/^[A-N]\d{4}$/, { message: 'romeCode must be a ROME code such as F1703' })
  @MaxLength(5)
  romeCode?: string;

  /** @example 35 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(48)
  hoursPerWeek?: number;

  /** The employer's SIRET. @example "73282932000074" */
  @IsOptional()
  @Matches(/^\d{14}$/, { message: 'employerSiret must be 14 digits' })
  @MaxLength(14)
  employerSiret?: string;
}

export class TrainingStartedDataDto extends FranceTravailPersonDto {
  /** @example "2026-11-23" */
  @IsCalendarDate()
  startedOn!: string;

  /** @example "2027-03-19" */
  @IsOptional()
  @IsCalendarDate()
  endsOn?: string;

  /** Formacode of the training. @example "22454" */
  @IsOptional()
  @Matches(/^\d{5}$/, { message: 'formacode must be 5 digits' })
  @MaxLength(5)
  formacode?: string;

  /** @example 30 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(48)
  hoursPerWeek?: number;
}

export const FRANCE_TRAVAIL_DATA: Record<FranceTravailEventType, new () => FranceTravailPersonDto> = {
  'jobseeker.registered': JobseekerRegisteredDataDto,
  'jobseeker.deregistered': JobseekerDeregisteredDataDto,
  'orientation.decided': OrientationDecidedDataDto,
  'appointment.updated': AppointmentUpdatedDataDto,
  'employment.started': EmploymentStartedDataDto,
  'training.started': TrainingStartedDataDto,
};

/** The envelope of every France Travail event. */
abstract class FranceTravailEventBase {
  /** When the event happened at France Travail (ISO 8601). @example "2026-11-30T08:15:00Z" */
  @IsISO8601({ strict: true })
  @MaxLength(40)
  timestamp!: string;
}

const envelope = (type: FranceTravailEventType, data: new () => FranceTravailPersonDto, name: string) => {
  class Envelope extends FranceTravailEventBase {
    @ApiProperty({ enum: [type] })
    type!: string;

    @ApiProperty({ type: data })
    data!: object;
  }
  Object.defineProperty(Envelope, 'name', { value: name });
  return Envelope;
};

export const JobseekerRegisteredEventDto = envelope('jobseeker.registered', JobseekerRegisteredDataDto, 'JobseekerRegisteredEventDto');
export const JobseekerDeregisteredEventDto = envelope('jobseeker.deregistered', JobseekerDeregisteredDataDto, 'JobseekerDeregisteredEventDto');
export const OrientationDecidedEventDto = envelope('orientation.decided', OrientationDecidedDataDto, 'OrientationDecidedEventDto');
export const AppointmentUpdatedEventDto = envelope('appointment.updated', AppointmentUpdatedDataDto, 'AppointmentUpdatedEventDto');
export const EmploymentStartedEventDto = envelope('employment.started', EmploymentStartedDataDto, 'EmploymentStartedEventDto');
export const TrainingStartedEventDto = envelope('training.started', TrainingStartedDataDto, 'TrainingStartedEventDto');

export const FRANCE_TRAVAIL_EVENT_MODELS = [
  JobseekerRegisteredEventDto,
  JobseekerDeregisteredEventDto,
  OrientationDecidedEventDto,
  AppointmentUpdatedEventDto,
  EmploymentStartedEventDto,
  TrainingStartedEventDto,
];

/** The answer to a received event. */
export class InboxAckDto {
  /** The inbox entry. */
  @ApiProperty({ format: 'uuid' })
  id!: string;

  /** @example "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W" */
  webhookId!: string;

  @ApiProperty({ enum: ['received', 'processed', 'unmatched', 'failed'] })
  status!: string;

  /** true when this `webhook-id` had already been received: nothing was stored or processed again. */
  duplicate!: boolean;
}

