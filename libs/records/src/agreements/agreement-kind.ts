import type { FieldErrorDto } from '@app/http';
import { isRealDate, nullCodeAlone } from '../catalog-code';
import { checkDates, splitByFields } from '../kind-helpers';
import type { KindCheck, RecordKindDefinition, RecordWarning } from '../record-kind';
import { variableStatus } from '../victims/victim-kind';
import { AGREEMENT_PII_FIELDS, AgreementBatchEntryDto, type AgreementDto } from './agreement.dto';

/** The `agreements` kind (R21): the agency's agreements (convenios); referrals may cite one. */
export function agreementKind(): RecordKindDefinition<AgreementDto> {
  return {
    kind: 'agreements',
    label: 'Agreement',
    readScope: 'referrals:read',
    writeScope: 'referrals:write',
    entryClass: AgreementBatchEntryDto,
    catalogs: ['agreement-purpose', 'agency-kind', 'state'],

    normalise: (a) => ({
      ...a,
      title: a.title?.trim().replace(/\s+/g, ' ') || undefined,
      notes: a.notes?.trim() || undefined,
      purposes: [...new Set(a.purposes)].sort(),
    }),

    check(a): KindCheck {
      const errors: FieldErrorDto[] = [];
      const warnings: RecordWarning[] = [];
      checkDates(a as unknown as Record<string, unknown>, ['signedOn'], errors);
      for (const f of ['validFrom', 'validTo'] as const) {
        if (a[f] && !isRealDate(a[f])) errors.push({ pointer: `/${f}`, detail: `${f} is not a calendar date`, rule: 'date' });
      }
      if (a.validTo && a.validTo < a.validFrom) errors.push({ pointer: '/validTo', detail: 'validTo is before validFrom', rule: 'valid-to-after-from' });
      if (!nullCodeAlone(a.purposes)) errors.push({ pointer: '/purposes', detail: 'a null code (SI, NA, NR, RESERVED) must be the only value of purposes', rule: 'null-code-alone' });
      const codes = new Map<string, number>();
      a.parties.forEach((p, i) => {
        if (!p.agencyCode) return;
        const first = codes.get(p.agencyCode);
        if (first !== undefined) errors.push({ pointer: `/parties/${i}/agencyCode`, detail: `${p.agencyCode} is also party ${first}`, rule: 'unique-party' });
        codes.set(p.agencyCode, i);
      });
      if (a.validFrom < a.signedOn) warnings.push({ pointer: '/validFrom', detail: 'the agreement is in force before it was signed', rule: 'valid-before-signed' });
      return { errors, warnings };
    },

    split: (a) => splitByFields(a, AGREEMENT_PII_FIELDS),

    completeness: (a) => ({ purposes: variableStatus(a.purposes), validTo: a.validTo ? 'filled' : 'missing' }),
    references: () => [],
    project: async () => undefined,
  };
}

