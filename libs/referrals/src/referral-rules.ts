/** The referral state machine, time limits and share groups (see docs/referrals.md). */

export const REFERRAL_STATUSES = ['sent', 'acknowledged', 'accepted', 'declined', 'redirected', 'in_progress', 'closed'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** Legal next statuses. Every transition is made by the receiving agency. */
export const TRANSITIONS: Record<ReferralStatus, ReferralStatus[]> = {
  sent: ['acknowledged'],
  acknowledged: ['accepted', 'declined', 'redirected'],
  accepted: ['in_progress', 'closed'],
  in_progress: ['closed'],
  declined: [],
  redirected: [],
  closed: [],
};

export const REFERRAL_URGENCIES = ['immediate', 'urgent', 'routine'] as const;
export type ReferralUrgency = (typeof REFERRAL_URGENCIES)[number];

/** Hours to acknowledge and to answer (accept, decline or redirect), per urgency. A minor ⇒ `immediate`. */
export const DUE_HOURS: Record<ReferralUrgency, { acknowledge: number; respond: number }> = {
  immediate: { acknowledge: 1, respond: 4 },
  urgent: { acknowledge: 4, respond: 24 },
  routine: { acknowledge: 24, respond: 72 },
};

export function dueTimes(urgency: ReferralUrgency, involvesMinor: boolean, from: Date): { acknowledgeDueAt: Date; respondDueAt: Date } {
  const h = DUE_HOURS[involvesMinor ? 'immediate' : urgency];
  return { acknowledgeDueAt: new Date(from.getTime() + h.acknowledge * 3_600_000), respondDueAt: new Date(from.getTime() + h.respond * 3_600_000) };
}

export const REFERRAL_REASONS = [
  'investigation',
  'victim_assistance',
  'protection',
  'shelter',
  'migration_regularisation',
  'repatriation',
  'information',
  'child_protection_notice',
  'other',
] as const;

export const DECLINE_REASONS = ['not_competent', 'no_capacity', 'insufficient_information', 'duplicate', 'victim_declined', 'other'] as const;

export const REFERRAL_OUTCOMES = ['investigation_opened', 'assistance_given', 'victim_not_located', 'referred_elsewhere', 'no_action_needed', 'other'] as const;

export const SUBJECT_KINDS = ['reports', 'victims', 'cases'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/** What can be shared, per subject kind. Personal groups are stored encrypted and shown only with `pii:read`. */
export const SHARE_GROUPS = {
  'report.summary': { subjects: ['reports'], personal: false },
  'report.narrative': { subjects: ['reports'], personal: true },
  'report.reporterIdentity': { subjects: ['reports'], personal: true },
  'victim.demographics': { subjects: ['reports', 'victims', 'cases'], personal: false },
  'victim.identity': { subjects: ['reports', 'victims', 'cases'], personal: true },
  'victim.contact': { subjects: ['reports', 'victims', 'cases'], personal: true },
  'case.summary': { subjects: ['cases'], personal: false },
  'case.narrative': { subjects: ['cases'], personal: true },
} as const satisfies Record<string, { subjects: readonly SubjectKind[]; personal: boolean }>;
export type ShareGroup = keyof typeof SHARE_GROUPS;
export const SHARE_GROUP_NAMES = Object.keys(SHARE_GROUPS) as ShareGroup[];
