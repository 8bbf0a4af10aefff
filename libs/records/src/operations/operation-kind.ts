import { catalogRegistry, isNullCode } from '@app/catalogs';
import type { FieldErrorDto } from '@app/http';
import { nullCodeAlone } from '../catalog-code';
import { checkDates, splitByFields } from '../kind-helpers';
import type { KindCheck, RecordKindDefinition, RecordWarning } from '../record-kind';
import { variableStatus } from '../victims/victim-kind';
import { OPERATION_PII_FIELDS, OperationBatchEntryDto, type OperationDto } from './operation.dto';

const uniq = <T>(a: T[] | undefined) => (a === undefined ? undefined : [...new Set(a)]);
/** Age groups a `rescuedCounts` row may use: the `legal_majority` scheme, or a null code. */
export const RESCUE_AGE_GROUPS = ['under_18', 'adult_18_plus'];

/** The `operations` kind (R33): operations and rescues, the persons rescued linked to victim records. */
export function operationKind(): RecordKindDefinition<OperationDto> {
  return {
    kind: 'operations',
    label: 'Operation',
    readScope: 'cases:read',
    writeScope: 'cases:write',
    entryClass: OperationBatchEntryDto,
    catalogs: ['state', 'place-of-exploitation', 'offense', 'agency-kind', 'yes-no', 'sex', 'country', 'age-group'],

    normalise(o) {
      return {
        ...o,
        notes: o.notes?.trim() || undefined,
        placeTypes: uniq(o.placeTypes)!,
        offensesTargeted: uniq(o.offensesTargeted)!,
        caseLocalIds: uniq(o.caseLocalIds),
        rescuedPersons: o.rescuedPersons?.map((p) => ({ ...p, nationality: uniq(p.nationality)! })),
      };
    },

    check(o): KindCheck {
      const errors: FieldErrorDto[] = [];
      const warnings: RecordWarning[] = [];
      checkDates(o as unknown as Record<string, unknown>, ['operationDate', 'endDate'], errors);
      if (o.endDate && o.endDate < o.operationDate) errors.push({ pointer: '/endDate', detail: 'endDate is before operationDate', rule: 'end-after-start' });
      for (const f of ['placeTypes', 'offensesTargeted'] as const) {
        if (!nullCodeAlone(o[f])) errors.push({ pointer: `/${f}`, detail: `a null code (SI, NA, NR, RESERVED) must be the only value of ${f}`, rule: 'null-code-alone' });
      }
      const seen = new Map<string, number>();
      (o.rescuedPersons ?? []).forEach((p, i) => {
        if (!nullCodeAlone(p.nationality)) {
          errors.push({ pointer: `/rescuedPersons/${i}/nationality`, detail: 'a null code must be the only value of nationality', rule: 'null-code-alone' });
        }
        if (p.victimLocalId) {
          const first = seen.get(p.victimLocalId);
          if (first !== undefined) {
            errors.push({ pointer: `/rescuedPersons/${i}/victimLocalId`, detail: `victim ${p.victimLocalId} is also rescued person ${first}`, rule: 'unique-victim' });
          }
          seen.set(p.victimLocalId, i);
        }
      });
      const ageGroups = [...RESCUE_AGE_GROUPS, ...catalogRegistry().allowed('age-group').filter(isNullCode)];
      (o.rescuedCounts ?? []).forEach((c, i) => {
        if (!ageGroups.includes(c.ageGroup)) {
          errors.push({
            pointer: `/rescuedCounts/${i}/ageGroup`,
            detail: 'ageGroup of a count must be of scheme legal_majority (under_18, adult_18_plus) or a null code',
            rule: 'age-group-scheme',
            allowed: ageGroups,
            catalog: '/v1/catalogs/age-group',
          });
        }
      });
      const agencies = new Set<string>();
      (o.agenciesInvolved ?? []).forEach((a, i) => {
        if (a.agencyCode && agencies.has(a.agencyCode)) {
          errors.push({ pointer: `/agenciesInvolved/${i}/agencyCode`, detail: `${a.agencyCode} is listed twice`, rule: 'unique-agency' });
        }
        if (a.agencyCode) agencies.add(a.agencyCode);
      });
      return { errors, warnings };
    },

    split: (o) => splitByFields(o, OPERATION_PII_FIELDS),

    completeness(o) {
      const persons = o.rescuedPersons ?? [];
      return {
        placeType: variableStatus(o.placeTypes),
        offensesTargeted: variableStatus(o.offensesTargeted),
        humanRightsBodyNotified: variableStatus(o.humanRightsBodyNotified),
        rescuedPersons: persons.length || o.rescuedCounts?.length ? 'filled' : 'missing',
      };
    },

    references(o) {
      return [
        ...(o.rescuedPersons ?? []).filter((p) => p.victimLocalId).map((p) => ({ kind: 'victims', localId: p.victimLocalId! })),
        ...(o.caseLocalIds ?? []).map((localId) => ({ kind: 'cases', localId })),
      ];
    },

    // Served straight from `records.data` (summary and filters): no projection table.
    project: async () => undefined,
  };
}
