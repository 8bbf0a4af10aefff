import { isNullCode } from '@app/catalogs';
import type { FieldErrorDto } from '@app/http';
import { nullCodeAlone } from '../catalog-code';
import type { KindCheck, RecordKindDefinition, RecordWarning } from '../record-kind';
import { variableStatus } from '../victims/victim-kind';
import { REPORT_PII_FIELDS, ReportBatchEntryDto, type ReportDto } from './report.dto';

/** Age groups (catalog `age-group`) that only contain persons under 18. */
export const MINOR_AGE_GROUPS = ['under_18', 'child_0_11', 'adolescent_12_17', 'under_13', 'age_13_17'] as const;

const trim = (s: string | undefined) => (s === undefined ? undefined : s.trim().replace(/\s+/g, ' '));
const uniq = (a: string[] | undefined) => (a === undefined ? undefined : [...new Set(a)]);
const AGE_RANGES: Record<string, [number, number]> = {
  under_18: [0, 17],
  adult_18_plus: [18, 120],
  child_0_11: [0, 11],
  adolescent_12_17: [12, 17],
  under_13: [0, 12],
  age_13_17: [13, 17],
  age_13_31: [13, 31],
  age_24_31: [24, 31],
  age_32_46: [32, 46],
  older_adult_60_plus: [60, 120],
};

/** The `reports` kind (hotline reports, R29). */
export function reportKind(): RecordKindDefinition<ReportDto> {
  return {
    kind: 'reports',
    label: 'Report',
    readScope: 'reports:read',
    writeScope: 'reports:write',
    entryClass: ReportBatchEntryDto,
    catalogs: [
      'contact-channel',
      'hotline-contact-type',
      'caller-role',
      'hotline-contact-classification',
      'environment',
      'state',
      'country',
      'exploitation-form',
      'platform',
      'sex',
      'age-group',
    ],

    normalise(r) {
      return {
        ...r,
        receivedAt: Number.isNaN(new Date(r.receivedAt).getTime()) ? r.receivedAt : new Date(r.receivedAt).toISOString(),
        exploitationForms: uniq(r.exploitationForms),
        platforms: uniq(r.platforms),
        relatedCaseLocalIds: uniq(r.relatedCaseLocalIds),
        narrative: r.narrative?.trim(),
        reporter: r.reporter && {
          name: trim(r.reporter.name),
          phone: trim(r.reporter.phone),
          email: r.reporter.email?.trim().toLowerCase(),
          notes: r.reporter.notes?.trim(),
        },
      };
    },

    check(r): KindCheck {
      const errors: FieldErrorDto[] = [];
      const warnings: RecordWarning[] = [];
      if (Number.isNaN(new Date(r.receivedAt).getTime())) {
        errors.push({ pointer: '/receivedAt', detail: 'receivedAt is not a valid instant', rule: 'instant' });
      } else if (new Date(r.receivedAt).getTime() > Date.now() + 5 * 60_000) {
        errors.push({ pointer: '/receivedAt', detail: 'receivedAt is in the future', rule: 'not-future' });
      }
      if (r.anonymous && r.reporter && Object.values(r.reporter).some((v) => v !== undefined)) {
        errors.push({ pointer: '/reporter', detail: 'an anonymous report cannot carry the reporter identity', rule: 'anonymous-no-identity' });
      }
      if (r.consentToShareReporterIdentity && !r.reporter) {
        warnings.push({ pointer: '/consentToShareReporterIdentity', detail: 'consent recorded but no reporter identity given', rule: 'consent-without-identity' });
      }
      for (const f of ['exploitationForms', 'platforms'] as const) {
        if (!nullCodeAlone(r[f])) errors.push({ pointer: `/${f}`, detail: `a null code (SI, NA, NR, RESERVED) must be the only value of ${f}`, rule: 'null-code-alone' });
      }
      (r.victims ?? []).forEach((v, i) => {
        const range = v.ageGroup ? AGE_RANGES[v.ageGroup] : undefined;
        if (range && v.age !== undefined && (v.age < range[0] || v.age > range[1])) {
          errors.push({ pointer: `/victims/${i}/age`, detail: `age ${v.age} is outside ageGroup ${v.ageGroup}`, rule: 'age-in-group' });
        }
      });
      const locals = (r.victims ?? []).map((v) => v.victimLocalId).filter((x): x is string => !!x);
      if (new Set(locals).size !== locals.length) {
        errors.push({ pointer: '/victims', detail: 'a victimLocalId appears twice', rule: 'unique-victim-link' });
      }
      return { errors, warnings };
    },

    split(r) {
      const data: Record<string, unknown> = {};
      const pii: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(r)) {
        if (val === undefined) continue;
        if ((REPORT_PII_FIELDS as readonly string[]).includes(k)) pii[k] = val;
        else data[k] = val;
      }
      return { data, pii: Object.keys(pii).length ? pii : null };
    },

    completeness(r) {
      return {
        channel: variableStatus(r.channel),
        callerRole: variableStatus(r.callerRole),
        classification: variableStatus(r.classification),
        environment: variableStatus(r.environment),
        place: variableStatus(r.place?.state),
        exploitationForm: variableStatus(r.exploitationForms),
      };
    },

    references(r) {
      return [
        ...(r.victims ?? []).filter((v) => v.victimLocalId).map((v) => ({ kind: 'victims', localId: v.victimLocalId! })),
        ...(r.relatedCaseLocalIds ?? []).map((localId) => ({ kind: 'cases', localId })),
      ];
    },

    // Reports have no projection table: referrals read the record itself.
    async project() {},
  };
}

/** True when a described victim is known to be under 18. */
export const describedMinor = (v: { ageGroup?: string; age?: number }): boolean =>
  (v.age !== undefined && v.age < 18) || (!!v.ageGroup && !isNullCode(v.ageGroup) && (MINOR_AGE_GROUPS as readonly string[]).includes(v.ageGroup));
