import type { EntityManager } from 'typeorm';
import { type CrosswalkService, catalogRegistry, crosswalkKey, isNullCode } from '@app/catalogs';
import type { AgencyId } from '@app/db';
import type { FieldErrorDto } from '@app/http';
import { isRealDate, nullCodeAlone, today } from '../catalog-code';
import type { KindCheck, RecordKindDefinition, RecordWarning, WrittenRecord } from '../record-kind';
import { variableStatus } from '../victims/victim-kind';
import { CASE_PII_FIELDS, CaseBatchEntryDto, type CaseDto, type ChargeDto } from './case.dto';

/** A stored charge: the standard offense code, and the agency's own code when it was translated. */
type StoredCharge = ChargeDto;

const uniq = (a: string[] | undefined) => (a === undefined ? undefined : [...new Set(a)]);

/** The `cases` kind (investigation files, one charge per offense). */
export function caseKind(crosswalks: CrosswalkService): RecordKindDefinition<CaseDto> {
  const registry = catalogRegistry();
  const offenseError = (pointer: string, code: string): FieldErrorDto => ({
    pointer,
    detail: `${code} is not a code of catalog offense (nor one of the agency's crosswalk codes)`,
    rule: 'isCode',
    allowed: registry.allowed('offense'),
    catalog: '/v1/catalogs/offense',
  });
  return {
    kind: 'cases',
    label: 'Case',
    readScope: 'cases:read',
    writeScope: 'cases:write',
    entryClass: CaseBatchEntryDto,
    catalogs: [
      'offense',
      'exploitation-form',
      'aggravating-circumstance',
      'charge-stage',
      'file-type',
      'jurisdiction-type',
      'state',
      'investigation-origin',
      'legal-basis',
      'investigation-status',
      'recruitment-method',
      'platform',
      'international-cooperation',
      'yes-no',
    ],

    loadContext: (em, agencyId) => crosswalks.loadMap(em, agencyId as AgencyId, ['offense']),

    normalise(c) {
      return {
        ...c,
        fileNumber: c.fileNumber.trim(),
        charges: c.charges.map((ch) => ({
          ...ch,
          submittedOffense: undefined, // server-set only
          offense: ch.offense.trim(),
          exploitationForms: uniq(ch.exploitationForms),
          aggravating: uniq(ch.aggravating),
          victims: uniq(ch.victims),
          accused: uniq(ch.accused),
        })),
        accused: uniq(c.accused),
        recruitmentMeans: uniq(c.recruitmentMeans),
        platforms: uniq(c.platforms),
      };
    },

    check(c, context): KindCheck {
      const map = (context as Map<string, string> | undefined) ?? new Map<string, string>();
      const errors: FieldErrorDto[] = [];
      const warnings: RecordWarning[] = [];
      const now = today();
      if (!isRealDate(c.openedOn)) errors.push({ pointer: '/openedOn', detail: 'openedOn is not a calendar date', rule: 'date' });
      else if (c.openedOn > now) errors.push({ pointer: '/openedOn', detail: 'openedOn is in the future', rule: 'not-future' });
      c.statusHistory?.forEach((s, i) => {
        if (!isRealDate(s.on)) errors.push({ pointer: `/statusHistory/${i}/on`, detail: 'not a calendar date', rule: 'date' });
        else if (s.on > now) errors.push({ pointer: `/statusHistory/${i}/on`, detail: 'in the future', rule: 'not-future' });
        else if (s.on < c.openedOn) warnings.push({ pointer: `/statusHistory/${i}/on`, detail: 'status change before openedOn', rule: 'before-opened' });
      });
      const seen = new Map<string, number>();
      const caseVictims = c.victims ? new Set(c.victims.map((v) => v.localId)) : undefined;
      (c.charges as StoredCharge[]).forEach((ch, i) => {
        let code = ch.offense;
        if (!registry.has('offense', code)) {
          const standard = map.get(crosswalkKey('offense', code));
          if (standard) {
            ch.submittedOffense = code;
            ch.offense = code = standard;
          } else {
            errors.push(offenseError(`/charges/${i}/offense`, code));
            return;
          }
        }
        if (ch.replacedBy !== undefined && !registry.has('offense', ch.replacedBy)) errors.push(offenseError(`/charges/${i}/replacedBy`, ch.replacedBy));
        const key = `${code}:${ch.attempted}`;
        const first = seen.get(key);
        if (first !== undefined && !isNullCode(code)) {
          errors.push({
            pointer: `/charges/${i}/offense`,
            detail: `offense ${code} (${ch.attempted ? 'attempted' : 'consummated'}) is already charged at /charges/${first}: one entry per offense`,
            rule: 'one-charge-per-offense',
          });
        } else seen.set(key, i);
        for (const f of ['exploitationForms', 'aggravating'] as const) {
          if (!nullCodeAlone(ch[f])) errors.push({ pointer: `/charges/${i}/${f}`, detail: 'a null code must be the only value', rule: 'null-code-alone' });
        }
        ch.victims?.forEach((v, j) => {
          if (caseVictims && !caseVictims.has(v)) {
            errors.push({ pointer: `/charges/${i}/victims/${j}`, detail: `victim ${v} is not listed in the case's victims`, rule: 'case-victim' });
          }
        });
      });
      const localIds = new Set<string>();
      c.victims?.forEach((v, i) => {
        if (localIds.has(v.localId)) errors.push({ pointer: `/victims/${i}/localId`, detail: `victim ${v.localId} is listed twice`, rule: 'unique' });
        localIds.add(v.localId);
      });
      if (c.transferredTo && c.status && c.status !== 'transferred_incompetence') {
        warnings.push({ pointer: '/status', detail: 'transferredTo given but status is not transferred_incompetence', rule: 'transfer-status' });
      }
      return { errors, warnings };
    },

    split(c) {
      const data: Record<string, unknown> = {};
      const pii: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(c)) {
        if (val === undefined) continue;
        if ((CASE_PII_FIELDS as readonly string[]).includes(k)) pii[k] = val;
        else data[k] = val;
      }
      return { data, pii: Object.keys(pii).length ? pii : null };
    },

    completeness(c) {
      const offenses = c.charges.map((ch) => ch.offense);
      return {
        offense: offenses.some((o) => !isNullCode(o)) ? 'filled' : variableStatus(offenses),
        jurisdiction: variableStatus(c.jurisdiction),
        state: variableStatus(c.state),
        status: variableStatus(c.status),
        victims: c.victims?.length ? 'filled' : 'missing',
      };
    },

    references(c) {
      const refs = new Map<string, { kind: string; localId: string }>();
      for (const v of c.victims ?? []) refs.set(`victims:${v.localId}`, { kind: 'victims', localId: v.localId });
      for (const ch of c.charges) {
        for (const v of ch.victims ?? []) refs.set(`victims:${v}`, { kind: 'victims', localId: v });
        for (const a of ch.accused ?? []) refs.set(`accused:${a}`, { kind: 'accused', localId: a });
      }
      for (const a of c.accused ?? []) refs.set(`accused:${a}`, { kind: 'accused', localId: a });
      return [...refs.values()];
    },

    async project(em: EntityManager, agencyId: string, written: WrittenRecord[]) {
      if (!written.length) return;
      const replaced = written.filter((w) => !w.created).map((w) => w.recordId);
      if (replaced.length) await em.query(`DELETE FROM case_charges WHERE agency_id = $1 AND record_id = ANY($2::uuid[])`, [agencyId, replaced]);
      const rows = written.flatMap(({ recordId, localId, data }) => {
        const c = data as unknown as CaseDto;
        return (c.charges as StoredCharge[]).map((ch, i) => ({
          record_id: recordId,
          case_local_id: localId,
          charge_index: i,
          offense_code: ch.offense,
          submitted_code: ch.submittedOffense ?? ch.offense,
          attempted: ch.attempted,
          exploitation_forms: ch.exploitationForms ?? [],
          aggravating: ch.aggravating ?? [],
          stage: ch.stage ?? 'NR',
          jurisdiction: c.jurisdiction,
          state: c.state,
          opened_on: c.openedOn,
          victim_local_ids: ch.victims ?? [],
          accused_local_ids: ch.accused ?? [],
        }));
      });
      if (!rows.length) return;
      await em.query(
        `INSERT INTO case_charges (record_id, agency_id, case_local_id, charge_index, offense_code, submitted_code, attempted, exploitation_forms,
           aggravating, stage, jurisdiction, state, opened_on, victim_local_ids, accused_local_ids)
         SELECT x.record_id, $1, x.case_local_id, x.charge_index, x.offense_code, x.submitted_code, x.attempted,
           ARRAY(SELECT jsonb_array_elements_text(x.exploitation_forms)), ARRAY(SELECT jsonb_array_elements_text(x.aggravating)),
           x.stage, x.jurisdiction, x.state, x.opened_on,
           ARRAY(SELECT jsonb_array_elements_text(x.victim_local_ids)), ARRAY(SELECT jsonb_array_elements_text(x.accused_local_ids))
         FROM jsonb_to_recordset($2::jsonb) AS x(record_id uuid, case_local_id text, charge_index int, offense_code text, submitted_code text,
           attempted boolean, exploitation_forms jsonb, aggravating jsonb, stage text, jurisdiction text, state text, opened_on date,
           victim_local_ids jsonb, accused_local_ids jsonb)`,
        [agencyId, JSON.stringify(rows)],
      );
    },
  };
}
