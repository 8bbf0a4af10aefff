import type { EntityManager } from 'typeorm';
import { isNullCode } from '@app/catalogs';
import type { FieldCipher } from '@app/crypto';
import type { FieldErrorDto } from '@app/http';
import { isRealDate, nullCodeAlone, today, yearsBetween } from '../catalog-code';
import type { KindCheck, RecordKindDefinition, RecordWarning, WrittenRecord } from '../record-kind';
import { normaliseCurp, variableStatus } from '../victims/victim-kind';
import { ACCUSED_PII_FIELDS, AccusedPersonBatchEntryDto, type AccusedPersonDto, type AccusedProceedingDto } from './accused.dto';

const trim = (s: string | undefined) => (s === undefined ? undefined : s.trim().replace(/\s+/g, ' '));
const uniq = (a: string[] | undefined) => (a === undefined ? undefined : [...new Set(a)]);

/** One row of accused_facts: the current procedural status of a person for one offense of one file. */
export interface AccusedFactRow {
  caseLocalId: string;
  offense: string;
  status: string;
  statusOn: string | null;
  firstOn: string | null;
}

/**
 * Current status per (file, offense): the entry with the latest `on` (undated entries count as earlier
 * than dated ones; on equal dates the later entry in the array wins).
 */
export function currentProceedings(proceedings: AccusedProceedingDto[]): AccusedFactRow[] {
  const byKey = new Map<string, AccusedFactRow>();
  for (const p of proceedings) {
    const key = `${p.caseLocalId}\u0000${p.offense}`;
    const cur = byKey.get(key);
    if (!cur) {
      byKey.set(key, { caseLocalId: p.caseLocalId, offense: p.offense, status: p.status, statusOn: p.on ?? null, firstOn: p.on ?? null });
      continue;
    }
    if ((p.on ?? '') >= (cur.statusOn ?? '')) Object.assign(cur, { status: p.status, statusOn: p.on ?? cur.statusOn });
    if (p.on && (!cur.firstOn || p.on < cur.firstOn)) cur.firstOn = p.on;
  }
  return [...byKey.values()];
}

/** R15 kinship for one accused: `yes` when related to some victim by family ties, else `no`, or a null code. */
export function kinshipOf(a: Pick<AccusedPersonDto, 'victims'>): string {
  const rels = (a.victims ?? []).map((v) => v.relationship);
  if (!rels.length) return 'SI';
  if (rels.some((r) => r.startsWith('family'))) return 'yes';
  if (rels.every(isNullCode)) return rels[0];
  return 'no';
}

/** The `accused` kind (accused persons, R15, R16, R19). */
export function accusedKind(cipher: FieldCipher): RecordKindDefinition<AccusedPersonDto> {
  return {
    kind: 'accused',
    label: 'Accused person',
    readScope: 'cases:read',
    writeScope: 'cases:write',
    entryClass: AccusedPersonBatchEntryDto,
    catalogs: ['sex', 'country', 'state', 'accused-role', 'yes-no', 'relationship-to-perpetrator', 'offense', 'accused-procedural-status'],

    normalise(a) {
      return {
        ...a,
        names: a.names && {
          firstName: trim(a.names.firstName)!,
          middleName: trim(a.names.middleName),
          paternalSurname: trim(a.names.paternalSurname),
          maternalSurname: trim(a.names.maternalSurname),
        },
        aliases: uniq(a.aliases?.map((x) => trim(x)!)),
        curp: a.curp && normaliseCurp(a.curp),
        notes: a.notes?.trim(),
        nationality: uniq(a.nationality)!,
        roles: uniq(a.roles)!,
      };
    },

    check(a): KindCheck {
      const errors: FieldErrorDto[] = [];
      const warnings: RecordWarning[] = [];
      const now = today();
      const date = (pointer: string, value: string | undefined) => {
        if (!isRealDate(value)) errors.push({ pointer, detail: `${pointer.slice(1)} is not a calendar date`, rule: 'date' });
        else if (value && value > now) errors.push({ pointer, detail: `${pointer.slice(1)} is in the future`, rule: 'not-future' });
        else return true;
        return false;
      };
      date('/birthDate', a.birthDate);
      date('/ageOn', a.ageOn);
      const seen = new Map<string, number>();
      a.proceedings.forEach((p, i) => {
        date(`/proceedings/${i}/on`, p.on);
        const key = `${p.caseLocalId}\u0000${p.offense}\u0000${p.status}`;
        const first = seen.get(key);
        if (first !== undefined) {
          errors.push({
            pointer: `/proceedings/${i}`,
            detail: `status ${p.status} for offense ${p.offense} of case ${p.caseLocalId} is already at /proceedings/${first}`,
            rule: 'unique',
          });
        } else seen.set(key, i);
      });
      a.detentions?.forEach((d, i) => {
        const okFrom = date(`/detentions/${i}/from`, d.from);
        const okTo = date(`/detentions/${i}/to`, d.to);
        if (okFrom && okTo && d.to && d.to < d.from) errors.push({ pointer: `/detentions/${i}/to`, detail: 'to is before from', rule: 'from-before-to' });
        if (okFrom && a.birthDate && isRealDate(a.birthDate) && d.from < a.birthDate) {
          errors.push({ pointer: `/detentions/${i}/from`, detail: 'detention before birthDate', rule: 'birth-before-detention' });
        }
      });
      if (a.birthDate && isRealDate(a.birthDate) && a.birthDate <= now) {
        a.proceedings.forEach((p, i) => {
          if (p.on && isRealDate(p.on) && p.on < a.birthDate!) errors.push({ pointer: '/birthDate', detail: `birthDate is after /proceedings/${i}/on`, rule: 'birth-before-proceeding' });
        });
        const age = yearsBetween(a.birthDate, now);
        if (age > 120) errors.push({ pointer: '/birthDate', detail: `age would be ${age} (> 120)`, rule: 'max-age' });
        if (a.age !== undefined) {
          const byBirth = yearsBetween(a.birthDate, a.ageOn && isRealDate(a.ageOn) ? a.ageOn : now);
          if (Math.abs(byBirth - a.age) > 1) warnings.push({ pointer: '/age', detail: `age ${a.age} does not match birthDate (${byBirth} years)`, rule: 'age-consistency' });
        }
      }
      if (a.ageOn && a.age === undefined) errors.push({ pointer: '/ageOn', detail: 'ageOn without age', rule: 'requires-age' });
      for (const f of ['nationality', 'roles'] as const) {
        if (!nullCodeAlone(a[f])) errors.push({ pointer: `/${f}`, detail: `a null code (SI, NA, NR, RESERVED) must be the only value of ${f}`, rule: 'null-code-alone' });
      }
      const victims = new Map<string, number>();
      a.victims?.forEach((v, i) => {
        const first = victims.get(v.victimLocalId);
        if (first !== undefined) errors.push({ pointer: `/victims/${i}/victimLocalId`, detail: `victim ${v.victimLocalId} is also at /victims/${first}`, rule: 'unique' });
        else victims.set(v.victimLocalId, i);
      });
      if (a.victimRecordLocalId && a.alsoRegisteredAsVictim === false) {
        errors.push({ pointer: '/victimRecordLocalId', detail: 'victimRecordLocalId given but alsoRegisteredAsVictim is false', rule: 'also-victim-consistency' });
      }
      if (a.alsoRegisteredAsVictim) {
        warnings.push({ pointer: '/alsoRegisteredAsVictim', detail: 'registered as a victim too: review under art. 37 (non-punishment)', rule: 'art-37-review' });
      }
      const mexican = a.nationality.includes('MEX');
      if (!mexican && !a.nationality.some(isNullCode) && a.stateOfOrigin !== 'NA' && !isNullCode(a.stateOfOrigin)) {
        warnings.push({ pointer: '/stateOfOrigin', detail: 'stateOfOrigin given for a person without Mexican nationality (expected NA)', rule: 'foreign-state' });
      }
      if (a.stateOfOrigin === 'FED') errors.push({ pointer: '/stateOfOrigin', detail: 'FED is a jurisdiction, not a state of origin', rule: 'not-a-state' });
      return { errors, warnings };
    },

    split(a) {
      const data: Record<string, unknown> = {};
      const pii: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(a)) {
        if (val === undefined) continue;
        if ((ACCUSED_PII_FIELDS as readonly string[]).includes(k)) pii[k] = val;
        else data[k] = val;
      }
      return { data, pii: Object.keys(pii).length ? pii : null };
    },

    completeness(a) {
      const offenses = a.proceedings.map((p) => p.offense);
      return {
        sex: variableStatus(a.sex),
        age: a.birthDate || a.age !== undefined ? 'filled' : 'SI',
        nationality: variableStatus(a.nationality),
        stateOfOrigin: variableStatus(a.stateOfOrigin),
        role: variableStatus(a.roles),
        offense: offenses.some((o) => !isNullCode(o)) ? 'filled' : variableStatus(offenses),
      };
    },

    references(a) {
      const refs = new Map<string, { kind: string; localId: string }>();
      for (const p of a.proceedings) refs.set(`cases:${p.caseLocalId}`, { kind: 'cases', localId: p.caseLocalId });
      for (const d of a.detentions ?? []) if (d.caseLocalId) refs.set(`cases:${d.caseLocalId}`, { kind: 'cases', localId: d.caseLocalId });
      for (const v of a.victims ?? []) refs.set(`victims:${v.victimLocalId}`, { kind: 'victims', localId: v.victimLocalId });
      if (a.victimRecordLocalId) refs.set(`victims:${a.victimRecordLocalId}`, { kind: 'victims', localId: a.victimRecordLocalId });
      return [...refs.values()];
    },

    async project(em: EntityManager, agencyId: string, written: WrittenRecord[]) {
      if (!written.length) return;
      const replaced = written.filter((w) => !w.created).map((w) => w.recordId);
      if (replaced.length) await em.query(`DELETE FROM accused_facts WHERE agency_id = $1 AND record_id = ANY($2::uuid[])`, [agencyId, replaced]);
      const rows = written.flatMap(({ recordId, localId, data, pii }) => {
        const a = data as unknown as AccusedPersonDto;
        const p = (pii ?? {}) as Pick<AccusedPersonDto, 'curp'>;
        const curpHash = p.curp ? cipher.blindIndex('curp', normaliseCurp(p.curp)) : null;
        const kinship = kinshipOf(a);
        return currentProceedings(a.proceedings).map((row) => ({
          record_id: recordId,
          local_id: localId,
          case_local_id: row.caseLocalId,
          offense_code: row.offense,
          procedural_status: row.status,
          status_on: row.statusOn,
          first_on: row.firstOn,
          sex: a.sex,
          birth_year: a.birthDate ? Number(a.birthDate.slice(0, 4)) : null,
          age: a.birthDate ? yearsBetween(a.birthDate, row.firstOn ?? today()) : (a.age ?? null),
          nationality: a.nationality,
          state_of_origin: a.stateOfOrigin,
          roles: a.roles,
          organised_crime: a.organisedCrime ?? 'NR',
          public_servant: a.publicServant ?? 'NR',
          kinship,
          victim_local_ids: (a.victims ?? []).map((v) => v.victimLocalId),
          relationships: [...new Set((a.victims ?? []).map((v) => v.relationship))],
          also_registered_as_victim: a.alsoRegisteredAsVictim ?? false,
          detained: (a.detentions ?? []).some((d) => !d.caseLocalId || d.caseLocalId === row.caseLocalId),
          curp_hash: curpHash,
        }));
      });
      if (!rows.length) return;
      await em.query(
        `INSERT INTO accused_facts (record_id, agency_id, local_id, case_local_id, offense_code, procedural_status, status_on, first_on, sex, birth_year,
           age, nationality, state_of_origin, roles, organised_crime, public_servant, kinship, victim_local_ids, relationships,
           also_registered_as_victim, detained, curp_hash)
         SELECT x.record_id, $1, x.local_id, x.case_local_id, x.offense_code, x.procedural_status, x.status_on, x.first_on, x.sex, x.birth_year,
           x.age, ARRAY(SELECT jsonb_array_elements_text(x.nationality)), x.state_of_origin, ARRAY(SELECT jsonb_array_elements_text(x.roles)),
           x.organised_crime, x.public_servant, x.kinship, ARRAY(SELECT jsonb_array_elements_text(x.victim_local_ids)),
           ARRAY(SELECT jsonb_array_elements_text(x.relationships)), x.also_registered_as_victim, x.detained, x.curp_hash
         FROM jsonb_to_recordset($2::jsonb) AS x(record_id uuid, local_id text, case_local_id text, offense_code text, procedural_status text,
           status_on date, first_on date, sex text, birth_year int, age int, nationality jsonb, state_of_origin text, roles jsonb,
           organised_crime text, public_servant text, kinship text, victim_local_ids jsonb, relationships jsonb,
           also_registered_as_victim boolean, detained boolean, curp_hash text)`,
        [agencyId, JSON.stringify(rows)],
      );
    },
  };
}
