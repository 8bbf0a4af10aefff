import type { FieldErrorDto } from '@app/http';
import type { KindCheck, RecordKindDefinition, RecordWarning } from '../record-kind';
import { checkDates, splitByFields } from '../kind-helpers';
import { variableStatus } from '../victims/victim-kind';
import { SHELTER_PII_FIELDS, ShelterBatchEntryDto, type ShelterDto } from './shelter.dto';
import { SHELTER_STAY_PII_FIELDS, ShelterStayBatchEntryDto, type ShelterStayDto } from './shelter-stay.dto';

const trim = (s: string | undefined) => (s === undefined ? undefined : s.trim().replace(/\s+/g, ' ') || undefined);

/** The `shelters` kind (R25): the agency's shelter registry entries. */
export function shelterKind(): RecordKindDefinition<ShelterDto> {
  return {
    kind: 'shelters',
    label: 'Shelter',
    readScope: 'victims:read',
    writeScope: 'victims:write',
    entryClass: ShelterBatchEntryDto,
    catalogs: ['shelter-type', 'shelter-operator', 'shelter-specialisation', 'state', 'yes-no', 'agency-kind'],

    normalise(s) {
      return {
        ...s,
        name: trim(s.name),
        address: trim(s.address),
        contact: trim(s.contact),
        agreementLocalIds: s.agreementLocalIds && [...new Set(s.agreementLocalIds)],
        supervisoryVisits: s.supervisoryVisits && [...s.supervisoryVisits].sort((a, b) => (a.visitedOn < b.visitedOn ? -1 : a.visitedOn > b.visitedOn ? 1 : 0)),
      };
    },

    check(s): KindCheck {
      const errors: FieldErrorDto[] = [];
      const warnings: RecordWarning[] = [];
      checkDates(s as unknown as Record<string, unknown>, ['openedOn', 'closedOn'], errors);
      if (s.openedOn && s.closedOn && s.closedOn < s.openedOn) errors.push({ pointer: '/closedOn', detail: 'closedOn is before openedOn', rule: 'close-after-open' });
      (s.supervisoryVisits ?? []).forEach((v, i) => checkDates(v as unknown as Record<string, unknown>, ['visitedOn'], errors, `/supervisoryVisits/${i}`));
      const p = s.populations;
      if (p.boysMaxAge !== undefined && p.boys === 'no') {
        errors.push({ pointer: '/populations/boysMaxAge', detail: 'boysMaxAge given for a shelter that does not accept boys', rule: 'boys-max-age' });
      }
      if (p.boys === 'yes' && p.boysMaxAge === undefined) {
        warnings.push({ pointer: '/populations/boysMaxAge', detail: 'the shelter accepts boys but no maximum age was given', rule: 'boys-max-age-missing' });
      }
      if (s.capacity === 0 && !s.closedOn) warnings.push({ pointer: '/capacity', detail: 'capacity 0 for a shelter that is not closed', rule: 'zero-capacity' });
      return { errors, warnings };
    },

    split: (s) => splitByFields(s, SHELTER_PII_FIELDS),

    completeness(s) {
      return {
        shelterType: variableStatus(s.shelterType),
        operator: variableStatus(s.operator),
        specialisation: variableStatus(s.specialisation),
        onOfficialRoster: variableStatus(s.onOfficialRoster),
        adultMen: variableStatus(s.populations.adultMen),
        childrenOfVictims: variableStatus(s.populations.childrenOfVictims),
        capacity: s.capacity === undefined ? 'missing' : 'filled',
      };
    },

    references: (s) => (s.agreementLocalIds ?? []).map((localId) => ({ kind: 'agreements', localId })),
    project: async () => undefined,
  };
}

/** The `shelter-stays` kind (R25): a victim's stay in one of the agency's shelters. */
export function shelterStayKind(): RecordKindDefinition<ShelterStayDto> {
  return {
    kind: 'shelter-stays',
    label: 'Shelter stay',
    readScope: 'victims:read',
    writeScope: 'victims:write',
    entryClass: ShelterStayBatchEntryDto,
    catalogs: ['yes-no'],

    normalise: (s) => ({ ...s, notes: s.notes?.trim() || undefined }),

    check(s): KindCheck {
      const errors: FieldErrorDto[] = [];
      const warnings: RecordWarning[] = [];
      checkDates(s as unknown as Record<string, unknown>, ['admittedOn', 'exitedOn'], errors);
      if (s.exitedOn && s.exitedOn < s.admittedOn) errors.push({ pointer: '/exitedOn', detail: 'exitedOn is before admittedOn', rule: 'exit-after-admission' });
      if (s.movementRestricted === 'yes') {
        warnings.push({ pointer: '/movementRestricted', detail: "the victim's movement was restricted (001 Recs: adult victims' movement must not be restricted)", rule: 'movement-restricted' });
      }
      return { errors, warnings };
    },

    split: (s) => splitByFields(s, SHELTER_STAY_PII_FIELDS),

    completeness(s) {
      return {
        movementRestricted: variableStatus(s.movementRestricted),
        accompanyingChildren: s.accompanyingChildren === undefined ? 'missing' : 'filled',
      };
    },

    references: (s) => [
      { kind: 'shelters', localId: s.shelterLocalId },
      { kind: 'victims', localId: s.victimLocalId },
    ],
    project: async () => undefined,
  };
}
