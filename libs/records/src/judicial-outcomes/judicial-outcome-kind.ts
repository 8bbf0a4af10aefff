import type { EntityManager } from 'typeorm';
import { isNullCode } from '@app/catalogs';
import type { FieldErrorDto } from '@app/http';
import { isRealDate, today } from '../catalog-code';
import type { KindCheck, RecordKindDefinition, RecordWarning, WrittenRecord } from '../record-kind';
import { variableStatus } from '../victims/victim-kind';
import { JUDICIAL_OUTCOME_PII_FIELDS, JudicialOutcomeBatchEntryDto, type JudicialOutcomeDto } from './judicial-outcome.dto';

/** The longest prison term accepted, in months: 196 years 6 months (001 Prosecution ¶2). */
export const MAX_PRISON_MONTHS = 196 * 12 + 6;

const uniq = (a: string[] | undefined) => (a === undefined ? undefined : [...new Set(a)]);
const NOT_CONVICTION = ['acquittal', 'dismissal'];

/** The outcome that stands after appeal: a conviction revoked on appeal counts as an acquittal (004 fn 24, T46). */
export function effectiveOutcome(o: Pick<JudicialOutcomeDto, 'outcome' | 'appealResult'>): string {
  return o.outcome === 'conviction' && o.appealResult === 'conviction_revoked' ? 'acquittal' : o.outcome;
}

/** The `judicial-outcomes` kind: one decision per accused person × offense (R17, R18, R23). */
export function judicialOutcomeKind(): RecordKindDefinition<JudicialOutcomeDto> {
  return {
    kind: 'judicial-outcomes',
    label: 'Judicial outcome',
    readScope: 'cases:read',
    writeScope: 'cases:write',
    entryClass: JudicialOutcomeBatchEntryDto,
    catalogs: ['offense', 'jurisdiction-type', 'state', 'judicial-outcome', 'procedure-type', 'appeal-result', 'redress-status'],

    normalise(o) {
      return {
        ...o,
        court: o.court.trim().replace(/\s+/g, ' '),
        courtCaseNumber: o.courtCaseNumber?.trim(),
        chargedOffense: o.chargedOffense === o.offense ? undefined : o.chargedOffense,
        victims: uniq(o.victims),
        notes: o.notes?.trim(),
      };
    },

    check(o): KindCheck {
      const errors: FieldErrorDto[] = [];
      const warnings: RecordWarning[] = [];
      const now = today();
      const date = (pointer: string, value: string | undefined): boolean => {
        if (!isRealDate(value)) errors.push({ pointer, detail: `${pointer.slice(1)} is not a calendar date`, rule: 'date' });
        else if (value && value > now) errors.push({ pointer, detail: `${pointer.slice(1)} is in the future`, rule: 'not-future' });
        else return true;
        return false;
      };
      const decided = date('/decisionDate', o.decisionDate);
      if (date('/appealDecidedOn', o.appealDecidedOn) && decided && o.appealDecidedOn && o.appealDecidedOn < o.decisionDate) {
        errors.push({ pointer: '/appealDecidedOn', detail: 'appealDecidedOn is before decisionDate', rule: 'appeal-after-decision' });
      }
      const paidOn = o.reparation?.lastPaymentOn;
      if (date('/reparation/lastPaymentOn', paidOn) && decided && paidOn && paidOn < o.decisionDate) {
        errors.push({ pointer: '/reparation/lastPaymentOn', detail: 'lastPaymentOn is before decisionDate', rule: 'payment-after-decision' });
      }

      const notConviction = NOT_CONVICTION.includes(o.outcome);
      const sentence: Array<[string, boolean]> = [
        ['/prisonTerm', o.prisonTerm !== undefined],
        ['/fine', (o.fine ?? 0) > 0],
        ['/fineDays', (o.fineDays ?? 0) > 0],
        ['/reparation/ordered', (o.reparation?.ordered ?? 0) > 0],
      ];
      for (const [pointer, present] of sentence) {
        if (!present) continue;
        if (notConviction) errors.push({ pointer, detail: `${pointer.slice(1)} given for an outcome of ${o.outcome}`, rule: 'conviction-only' });
        else if (isNullCode(o.outcome)) warnings.push({ pointer, detail: `${pointer.slice(1)} given while the outcome is ${o.outcome}`, rule: 'conviction-only' });
      }
      if (o.prisonTerm) {
        const months = o.prisonTerm.years * 12 + o.prisonTerm.months;
        if (months > MAX_PRISON_MONTHS) errors.push({ pointer: '/prisonTerm', detail: `${o.prisonTerm.years} years ${o.prisonTerm.months} months exceeds 196 years 6 months`, rule: 'max-prison-term' });
        else if (months === 0) warnings.push({ pointer: '/prisonTerm', detail: 'a prison term of 0 years 0 months', rule: 'zero-prison-term' });
      }
      if (o.appealResult === 'conviction_revoked' && o.outcome !== 'conviction' && !isNullCode(o.outcome)) {
        errors.push({ pointer: '/appealResult', detail: `conviction_revoked needs an outcome of conviction (not ${o.outcome})`, rule: 'revoked-needs-conviction' });
      }
      if (o.final && o.appealResult === 'pending') {
        errors.push({ pointer: '/final', detail: 'a decision with a pending appeal is not final', rule: 'pending-appeal-not-final' });
      }
      if (o.appealDecidedOn && !o.appealResult) {
        errors.push({ pointer: '/appealResult', detail: 'appealDecidedOn given without appealResult', rule: 'requires-appeal-result' });
      }
      const r = o.reparation;
      if (r?.ordered !== undefined) {
        const paid = (r.paidByConvicted ?? 0) + (r.paidByFund ?? 0);
        if (paid > r.ordered) warnings.push({ pointer: '/reparation', detail: `paid ${paid} exceeds ordered ${r.ordered}`, rule: 'paid-exceeds-ordered' });
      }
      if (o.outcome === 'conviction' && !o.prisonTerm && o.fine === undefined && o.fineDays === undefined) {
        warnings.push({ pointer: '/prisonTerm', detail: 'a conviction without prison term or fine', rule: 'conviction-without-sentence' });
      }
      return { errors, warnings };
    },

    split(o) {
      const data: Record<string, unknown> = {};
      const pii: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(o)) {
        if (val === undefined) continue;
        if ((JUDICIAL_OUTCOME_PII_FIELDS as readonly string[]).includes(k)) pii[k] = val;
        else data[k] = val;
      }
      return { data, pii: Object.keys(pii).length ? pii : null };
    },

    completeness(o) {
      return {
        offense: variableStatus(o.offense),
        outcome: variableStatus(o.outcome),
        jurisdiction: variableStatus(o.courtJurisdiction),
        procedure: variableStatus(o.procedure),
        sentence: o.outcome !== 'conviction' ? 'NA' : o.prisonTerm || o.fine !== undefined || o.fineDays !== undefined ? 'filled' : 'missing',
        reparation: o.outcome !== 'conviction' ? 'NA' : o.reparation?.ordered !== undefined ? 'filled' : 'missing',
      };
    },

    references(o) {
      const refs = new Map<string, { kind: string; localId: string }>();
      refs.set(`cases:${o.caseLocalId}`, { kind: 'cases', localId: o.caseLocalId });
      refs.set(`accused:${o.accusedLocalId}`, { kind: 'accused', localId: o.accusedLocalId });
      for (const v of o.victims ?? []) refs.set(`victims:${v}`, { kind: 'victims', localId: v });
      return [...refs.values()];
    },

    async project(em: EntityManager, agencyId: string, written: WrittenRecord[]) {
      if (!written.length) return;
      const replaced = written.filter((w) => !w.created).map((w) => w.recordId);
      if (replaced.length) await em.query(`DELETE FROM judicial_outcome_facts WHERE agency_id = $1 AND record_id = ANY($2::uuid[])`, [agencyId, replaced]);
      const rows = written.map(({ recordId, localId, data }) => {
        const o = data as unknown as JudicialOutcomeDto;
        const r = o.reparation;
        return {
          record_id: recordId,
          local_id: localId,
          case_local_id: o.caseLocalId,
          accused_local_id: o.accusedLocalId,
          offense_code: o.offense,
          charged_offense_code: o.chargedOffense ?? o.offense,
          reclassified: o.chargedOffense !== undefined && o.chargedOffense !== o.offense,
          court_jurisdiction: o.courtJurisdiction,
          court_state: o.courtState,
          decision_date: o.decisionDate,
          decision_year: Number(o.decisionDate.slice(0, 4)),
          outcome: o.outcome,
          effective_outcome: effectiveOutcome(o),
          procedure: o.procedure ?? 'NR',
          final: o.final,
          appeal_result: o.appealResult ?? null,
          prison_months: o.prisonTerm ? o.prisonTerm.years * 12 + o.prisonTerm.months : null,
          fine: o.fine ?? null,
          fine_days: o.fineDays ?? null,
          reparation_ordered: r?.ordered ?? null,
          reparation_paid_by_convicted: r?.paidByConvicted ?? null,
          reparation_paid_by_fund: r?.paidByFund ?? null,
          reparation_status: r?.status ?? null,
          victim_local_ids: o.victims ?? [],
        };
      });
      await em.query(
        `INSERT INTO judicial_outcome_facts (record_id, agency_id, local_id, case_local_id, accused_local_id, offense_code, charged_offense_code,
           reclassified, court_jurisdiction, court_state, decision_date, decision_year, outcome, effective_outcome, procedure, final, appeal_result,
           prison_months, fine, fine_days, reparation_ordered, reparation_paid_by_convicted, reparation_paid_by_fund, reparation_status, victim_local_ids)
         SELECT x.record_id, $1, x.local_id, x.case_local_id, x.accused_local_id, x.offense_code, x.charged_offense_code, x.reclassified,
           x.court_jurisdiction, x.court_state, x.decision_date, x.decision_year, x.outcome, x.effective_outcome, x.procedure, x.final, x.appeal_result,
           x.prison_months, x.fine, x.fine_days, x.reparation_ordered, x.reparation_paid_by_convicted, x.reparation_paid_by_fund, x.reparation_status,
           ARRAY(SELECT jsonb_array_elements_text(x.victim_local_ids))
         FROM jsonb_to_recordset($2::jsonb) AS x(record_id uuid, local_id text, case_local_id text, accused_local_id text, offense_code text,
           charged_offense_code text, reclassified boolean, court_jurisdiction text, court_state text, decision_date date, decision_year int,
           outcome text, effective_outcome text, procedure text, final boolean, appeal_result text, prison_months int, fine numeric,
           fine_days int, reparation_ordered numeric, reparation_paid_by_convicted numeric, reparation_paid_by_fund numeric,
           reparation_status text, victim_local_ids jsonb)`,
        [agencyId, JSON.stringify(rows)],
      );
    },
  };
}
