/**
 * Every scope a client or token can hold. A route names the scopes it needs with `@Scopes(...)`;
 * a token may carry fewer scopes than its client (the `scope` parameter of the token request).
 */
export const SCOPES = {
  'victims:read': 'Read victim records, shelters, shelter stays and assistance records of the own agency (pseudonymous fields)',
  'victims:write': 'Create, update and withdraw victim records, shelters, shelter stays and assistance records of the own agency',
  'cases:read': 'Read investigation files, accused persons, judicial outcomes and operations of the own agency',
  'cases:write': 'Submit investigation files, accused persons, judicial outcomes and operations',
  'reports:read': 'Read hotline reports of the own agency',
  'reports:write': 'Submit hotline reports',
  'referrals:read': 'Read referrals sent by or addressed to the own agency, and its agreements',
  'referrals:write': 'Send referrals and answer those addressed to the own agency; register its agreements',
  'webhooks:write': "Register, list and delete the agency's webhook endpoints and read their delivery log",
  'imports:write': 'Upload bulk files and manage mapping profiles',
  'crosswalks:write': "Register how the agency's own codes map to standard codes",
  'crosswalks:read': "Read the agency's own code crosswalks (own codes → standard codes)",
  'matches:review': 'Review candidate matches between victim records',
  'pii:read': 'Read personal data (names, CURP, phone, address, narratives) of records the agency may see',
  'statistics:read': 'Read statistics with small cells suppressed',
  'statistics:exact': 'Read statistics without suppression',
  'audit:read': 'Read the audit trail (own records; all records for oversight agencies)',
  admin: 'Administer agencies and API clients',
} as const;

export type Scope = keyof typeof SCOPES;
export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];
export const isScope = (s: string): s is Scope => Object.prototype.hasOwnProperty.call(SCOPES, s);
