/** Barrier ("frein") and action-plan themes (domain.md §3). `health` is special-category data (GDPR art. 9). */
export enum BarrierTheme {
  Mobility = 'mobility',
  ChildcareFamily = 'childcare_family',
  Health = 'health',
  Language = 'language',
  Housing = 'housing',
  Financial = 'financial',
  Administrative = 'administrative',
  Digital = 'digital',
  Legal = 'legal',
}

export enum BarrierSeverity {
  Low = 'low',
  Medium = 'medium',
  High = 'high',
}

export enum ActionStatus {
  Planned = 'planned',
  InProgress = 'in_progress',
  OnHold = 'on_hold',
  Done = 'done',
  Abandoned = 'abandoned',
  Cancelled = 'cancelled',
}

/** The theme only admins and the person's agency staff may see (CaseAccessService.seesSensitive). */
export const SENSITIVE_THEMES: readonly BarrierTheme[] = [BarrierTheme.Health];

export const isSensitiveTheme = (theme: BarrierTheme): boolean => SENSITIVE_THEMES.includes(theme);

/** A timeline summary naming the theme, except a sensitive one ("Barrier identified: mobility", "Barrier identified"). */
export const themeLabel = (summary: string, theme: BarrierTheme): string => (isSensitiveTheme(theme) ? summary : `${summary}: ${theme}`);

/** Timeline data naming the theme, except a sensitive one: the timeline is read by machine clients too. */
export const themeData = (theme: BarrierTheme): { theme?: BarrierTheme } => (isSensitiveTheme(theme) ? {} : { theme });

/** France Travail constraint codes ("contraintes") 23–29 and the barrier theme each maps to. */
export const FRANCE_TRAVAIL_CONSTRAINT_THEMES: Readonly<Record<string, BarrierTheme>> = Object.freeze({
  '23': BarrierTheme.Mobility,
  '24': BarrierTheme.ChildcareFamily,
  '25': BarrierTheme.Health,
  '26': BarrierTheme.Language,
  '27': BarrierTheme.Housing,
  '28': BarrierTheme.Financial,
  '29': BarrierTheme.Administrative,
});
