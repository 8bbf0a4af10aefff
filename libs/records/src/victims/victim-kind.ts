import type { EntityManager } from 'typeorm';
import { isNullCode } from '@app/catalogs';
import type { FieldCipher } from '@app/crypto';
import type { FieldErrorDto } from '@app/http';
import { isRealDate, nullCodeAlone, today, yearsBetween } from '../catalog-code';
import type { KindCheck, RecordKindDefinition, RecordWarning, WrittenRecord } from '../record-kind';
import { VICTIM_PII_FIELDS, VictimBatchEntryDto, type VictimDto } from './victim.dto';

const trim = (s: string | undefined) => (s === undefined ? undefined : s.trim().replace(/\s+/g, ' '));
const uniq = (a: string[] | undefined) => (a === undefined ? undefined : [...new Set(a)]);
export const normaliseCurp = (c: string) => c.trim().toUpperCase();
export const normalisePhone = (p: string) => p.replace(/[^0-9]/g, '').slice(-10);

/** Where a categorical value stands for completeness: filled, its null code, or missing. */
export function variableStatus(value: string | string[] | undefined): string {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return 'missing';
  const first = Array.isArray(value) ? value[0] : value;
  return isNullCode(first) ? first : 'filled';
}

/** The `victims` kind. */
export function victimKind(cipher: FieldCipher): RecordKindDefinition<VictimDto> {
  return {
    kind: 'victims',
    label: 'Victim',
    readScope: 'victims:read',
    writeScope: 'victims:write',
    entryClass: VictimBatchEntryDto,
    catalogs: [
      'sex',
      'gender-identity',
      'country',
      'state',
      'indigenous-language',
      'vulnerable-group',
      'disability-type',
      'migration-status',
      'victim-type',
      'relationship-to-direct-victim',
      'identification-route',
      'offense',
      'exploitation-form',
      'yes-no',
      'migration-event-type',
      'recruitment-channel',
      'recruitment-method',
      'means-of-control',
      'platform',
    ],

    normalise(v) {
      const out: VictimDto = {
        ...v,
        names: v.names && {
          firstName: trim(v.names.firstName)!,
          middleName: trim(v.names.middleName),
          paternalSurname: trim(v.names.paternalSurname),
          maternalSurname: trim(v.names.maternalSurname),
        },
        aliases: uniq(v.aliases?.map((a) => trim(a)!)),
        curp: v.curp && normaliseCurp(v.curp),
        phone: trim(v.phone),
        address: trim(v.address),
        nationality: uniq(v.nationality)!,
        vulnerableGroups: uniq(v.vulnerableGroups)!,
        offenses: uniq(v.offenses)!,
        exploitationForms: uniq(v.exploitationForms),
        recruitmentChannels: uniq(v.recruitmentChannels),
        recruitmentMethods: uniq(v.recruitmentMethods),
        meansOfControl: uniq(v.meansOfControl),
        platforms: uniq(v.platforms),
        migrationEvents: v.migrationEvents && [...v.migrationEvents].sort((a, b) => (a.on + a.type < b.on + b.type ? -1 : a.on + a.type > b.on + b.type ? 1 : 0)),
      };
      return out;
    },

    check(v): KindCheck {
      const errors: FieldErrorDto[] = [];
      const warnings: RecordWarning[] = [];
      const now = today();
      for (const f of ['birthDate', 'eventDate', 'identifiedOn'] as const) {
        if (!isRealDate(v[f])) errors.push({ pointer: `/${f}`, detail: `${f} is not a calendar date`, rule: 'date' });
        else if (v[f] && v[f]! > now) errors.push({ pointer: `/${f}`, detail: `${f} is in the future`, rule: 'not-future' });
      }
      if (v.birthDate && isRealDate(v.birthDate)) {
        for (const f of ['eventDate', 'identifiedOn'] as const) {
          if (v[f] && v[f]! < v.birthDate) errors.push({ pointer: '/birthDate', detail: `birthDate is after ${f}`, rule: 'birth-before-' + f });
        }
        const at = v.eventDate ?? v.identifiedOn ?? now;
        const age = yearsBetween(v.birthDate, at);
        if (age > 120) errors.push({ pointer: '/birthDate', detail: `age at the event would be ${age} (> 120)`, rule: 'max-age' });
        if (v.ageAtEvent !== undefined && v.eventDate && Math.abs(age - v.ageAtEvent) > 1) {
          warnings.push({ pointer: '/ageAtEvent', detail: `ageAtEvent ${v.ageAtEvent} does not match birthDate (${age} years at eventDate)`, rule: 'age-consistency' });
        }
      }
      if (v.ageAtExploitationStart !== undefined && v.ageAtEvent !== undefined && v.ageAtExploitationStart > v.ageAtEvent) {
        errors.push({ pointer: '/ageAtExploitationStart', detail: 'ageAtExploitationStart is greater than ageAtEvent', rule: 'exploitation-before-event' });
      }
      if (v.victimType === 'indirect') {
        if (!v.relationshipToDirectVictim || v.relationshipToDirectVictim === 'NA') {
          errors.push({ pointer: '/relationshipToDirectVictim', detail: 'an indirect victim needs relationshipToDirectVictim', rule: 'required-for-indirect' });
        }
      } else if (v.relationshipToDirectVictim && !isNullCode(v.relationshipToDirectVictim)) {
        warnings.push({ pointer: '/relationshipToDirectVictim', detail: `relationshipToDirectVictim given for a ${v.victimType} victim`, rule: 'indirect-only' });
      }
      for (const f of ['nationality', 'vulnerableGroups', 'offenses', 'exploitationForms', 'recruitmentChannels', 'recruitmentMethods', 'meansOfControl', 'platforms'] as const) {
        if (!nullCodeAlone(v[f])) errors.push({ pointer: `/${f}`, detail: `a null code (SI, NA, NR, RESERVED) must be the only value of ${f}`, rule: 'null-code-alone' });
      }
      const places: Array<[string, { country: string; state?: string } | undefined]> = [
        ['/placeIdentified', v.placeIdentified],
        ...(['placesOfExploitation', 'placesOfTransit', 'placesOfDestination'] as const).flatMap((f) =>
          (v[f] ?? []).map((p, i) => [`/${f}/${i}`, p] as [string, { country: string; state?: string }]),
        ),
      ];
      for (const [at, p] of places) {
        if (p?.state && p.country !== 'MEX' && !isNullCode(p.state) && !isNullCode(p.country)) {
          warnings.push({ pointer: `${at}/state`, detail: `a Mexican state given for a place in ${p.country}`, rule: 'foreign-state' });
        }
      }
      (v.migrationEvents ?? []).forEach((e, i) => {
        const at = `/migrationEvents/${i}`;
        if (!isRealDate(e.on)) errors.push({ pointer: `${at}/on`, detail: 'on is not a calendar date', rule: 'date' });
        else if (e.on > now) errors.push({ pointer: `${at}/on`, detail: 'on is in the future', rule: 'not-future' });
        if (!isRealDate(e.until)) errors.push({ pointer: `${at}/until`, detail: 'until is not a calendar date', rule: 'date' });
        else if (e.until && e.until < e.on) errors.push({ pointer: `${at}/until`, detail: 'until is before on', rule: 'until-after-on' });
        if (e.type === 'detention_episode') {
          warnings.push({ pointer: `${at}/type`, detail: 'a detention episode of a victim (art. 75 of the General Law forbids detaining victims; R19)', rule: 'victim-detained' });
        }
      });
      const mexican = v.nationality.includes('MEX');
      if (!mexican && !v.nationality.some(isNullCode) && v.stateOfOrigin !== 'NA' && !isNullCode(v.stateOfOrigin)) {
        warnings.push({ pointer: '/stateOfOrigin', detail: 'stateOfOrigin given for a person without Mexican nationality (expected NA)', rule: 'foreign-state' });
      }
      if (mexican && v.stateOfOrigin === 'NA') {
        warnings.push({ pointer: '/stateOfOrigin', detail: 'stateOfOrigin is NA for a Mexican national', rule: 'national-state' });
      }
      return { errors, warnings };
    },

    split(v) {
      const data: Record<string, unknown> = {};
      const pii: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(v)) {
        if (val === undefined) continue;
        if ((VICTIM_PII_FIELDS as readonly string[]).includes(k)) pii[k] = val;
        else data[k] = val;
      }
      return { data, pii: Object.keys(pii).length ? pii : null };
    },

    completeness(v) {
      return {
        sex: variableStatus(v.sex),
        age: v.birthDate || v.ageAtEvent !== undefined ? 'filled' : 'SI',
        nationality: variableStatus(v.nationality),
        stateOfOrigin: variableStatus(v.stateOfOrigin),
        vulnerableGroup: variableStatus(v.vulnerableGroups),
        offense: variableStatus(v.offenses),
      };
    },

    references(v) {
      return v.directVictimLocalId ? [{ kind: 'victims', localId: v.directVictimLocalId }] : [];
    },

    async project(em: EntityManager, agencyId: string, written: WrittenRecord[]) {
      if (!written.length) return;
      const replaced = written.filter((w) => !w.created).map((w) => w.recordId);
      if (replaced.length) await em.query(`DELETE FROM victim_facts WHERE agency_id = $1 AND record_id = ANY($2::uuid[])`, [agencyId, replaced]);
      const rows = written.map(({ recordId, localId, data, pii }) => {
        const d = data as unknown as VictimDto;
        const p = (pii ?? {}) as Pick<VictimDto, 'curp' | 'phone'>;
        const birthYear = d.birthDate ? Number(d.birthDate.slice(0, 4)) : null;
        const age = d.ageAtEvent ?? (d.birthDate && d.eventDate ? yearsBetween(d.birthDate, d.eventDate) : null);
        return {
          record_id: recordId,
          local_id: localId,
          sex: d.sex,
          gender_identity: d.genderIdentity ?? null,
          birth_date: d.birthDate ?? null,
          birth_year: birthYear,
          age_at_event: age,
          nationality: d.nationality,
          state_of_origin: d.stateOfOrigin,
          vulnerable_groups: d.vulnerableGroups,
          victim_type: d.victimType,
          offenses: d.offenses,
          exploitation_forms: d.exploitationForms ?? [],
          curp_hash: p.curp ? cipher.blindIndex('curp', normaliseCurp(p.curp)) : null,
          phone_hash: p.phone ? cipher.blindIndex('phone', normalisePhone(p.phone)) : null,
        };
      });
      await em.query(
        `INSERT INTO victim_facts (record_id, agency_id, local_id, sex, gender_identity, birth_date, birth_year, age_at_event, nationality,
           state_of_origin, vulnerable_groups, victim_type, offenses, exploitation_forms, curp_hash, phone_hash)
         SELECT x.record_id, $1, x.local_id, x.sex, x.gender_identity, x.birth_date, x.birth_year, x.age_at_event,
           ARRAY(SELECT jsonb_array_elements_text(x.nationality)), x.state_of_origin, ARRAY(SELECT jsonb_array_elements_text(x.vulnerable_groups)),
           x.victim_type, ARRAY(SELECT jsonb_array_elements_text(x.offenses)), ARRAY(SELECT jsonb_array_elements_text(x.exploitation_forms)),
           x.curp_hash, x.phone_hash
         FROM jsonb_to_recordset($2::jsonb) AS x(record_id uuid, local_id text, sex text, gender_identity text, birth_date date, birth_year int,
           age_at_event int, nationality jsonb, state_of_origin text, vulnerable_groups jsonb, victim_type text, offenses jsonb,
           exploitation_forms jsonb, curp_hash text, phone_hash text)`,
        [agencyId, JSON.stringify(rows)],
      );
    },
  };
}
