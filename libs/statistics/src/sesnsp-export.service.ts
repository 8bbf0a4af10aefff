import { Injectable } from '@nestjs/common';
import { catalogRegistry } from '@app/catalogs';
import { DbContext } from '@app/db';
import { periodBounds } from './coverage.service';
import type { SesnspExportDto, SesnspRowDto, SesnspVictimsDto } from './dto/sesnsp-export.dto';

const SEXES = ['female', 'male', 'sexUnknown'] as const;
const AGES = ['Under18', '18Plus', 'AgeUnknown'] as const;
const victimKey = (sex: string, age: string) => `${sex}${age}` as keyof SesnspVictimsDto;
const emptyVictims = (): SesnspVictimsDto =>
  Object.fromEntries(SEXES.flatMap((s) => AGES.map((a) => [victimKey(s, a), 0]))) as unknown as SesnspVictimsDto;

export const SESNSP_NOTE =
  'One row per offense × state × jurisdiction × file type of the investigation files opened in the month (every catalog offense is listed ' +
  'for each state / jurisdiction / file type that has files, zeros included). files counts investigation files (a file with two offenses ' +
  'counts in both rows); victims counts the victim records named for the offense in those files, by sex and by age at the event ' +
  '(under 18 / 18 and over); sex or age not known (null codes, or a victim record not submitted yet) go to the unknown columns. ' +
  'Withdrawn records are excluded. Exact counts: this export is for the SESNSP feed, not for publication.';

/**
 * Monthly export in the SESNSP layout (R4): counts per offense × state × jurisdiction × file type with
 * victims by sex and age group, from the same projections as the statistics (case_charges, victim_facts).
 */
@Injectable()
export class SesnspExportService {
  constructor(private readonly db: DbContext) {}

  async export(month: string): Promise<SesnspExportDto> {
    const { from, to } = periodBounds(month);
    const registry = catalogRegistry();
    const offenses = (registry.get('offense')?.entries ?? []).filter((e) => !e.retiredOn);
    return this.db.system(async (em) => {
      await em.query(`SET TRANSACTION READ ONLY`);
      const charges = `SELECT cc.record_id, cc.agency_id, cc.offense_code::text AS offense, cc.state::text AS state, cc.jurisdiction::text AS jurisdiction,
               COALESCE(NULLIF(r.data->>'fileType', ''), 'NR') AS file_type, cc.victim_local_ids, cc.opened_on
          FROM case_charges cc JOIN records r ON r.id = cc.record_id AND r.withdrawn_at IS NULL
         WHERE cc.opened_on BETWEEN $1::date AND $2::date`;
      const files: Array<{ offense: string; state: string; jurisdiction: string; file_type: string; files: number }> = await em.query(
        `SELECT offense, state, jurisdiction, file_type, count(DISTINCT record_id)::int AS files FROM (${charges}) c GROUP BY 1, 2, 3, 4`,
        [from, to],
      );
      const victims: Array<{
        offense: string;
        state: string;
        jurisdiction: string;
        file_type: string;
        sex: string;
        age: string;
        n: number;
      }> = await em.query(
        `SELECT c.offense, c.state, c.jurisdiction, c.file_type,
                CASE WHEN vf.sex = 'female' THEN 'female' WHEN vf.sex = 'male' THEN 'male' ELSE 'sexUnknown' END AS sex,
                CASE WHEN a.age IS NULL THEN 'AgeUnknown' WHEN a.age < 18 THEN 'Under18' ELSE '18Plus' END AS age,
                count(DISTINCT c.agency_id::text || ':' || vl.lid)::int AS n
           FROM (${charges}) c
           CROSS JOIN LATERAL unnest(c.victim_local_ids) AS vl(lid)
           LEFT JOIN victim_facts vf ON vf.agency_id = c.agency_id AND vf.local_id = vl.lid
           LEFT JOIN records vr ON vr.id = vf.record_id
           CROSS JOIN LATERAL (SELECT COALESCE(vf.age_at_event, CASE WHEN vf.birth_date IS NOT NULL AND c.opened_on IS NOT NULL
                                 THEN date_part('year', age(c.opened_on, vf.birth_date))::int END) AS age) a
          WHERE vr.withdrawn_at IS NULL
          GROUP BY 1, 2, 3, 4, 5, 6`,
        [from, to],
      );
      const [{ agencies }] = await em.query(`SELECT count(DISTINCT agency_id)::int AS agencies FROM (${charges}) c`, [from, to]);
      const [{ now }] = await em.query(`SELECT now() AS now`);

      const groupKey = (r: { state: string; jurisdiction: string; file_type: string }) => `${r.state}|${r.jurisdiction}|${r.file_type}`;
      const groups = [...new Set(files.map(groupKey))].sort();
      const rows = new Map<string, SesnspRowDto>();
      for (const g of groups) {
        const [state, jurisdiction, fileType] = g.split('|');
        for (const o of offenses) {
          rows.set(`${g}|${o.code}`, {
            state,
            jurisdiction,
            fileType,
            offense: o.code,
            offenseLabel: o.labelEs,
            files: 0,
            victims: 0,
            victimsBySexAndAge: emptyVictims(),
          });
        }
      }
      const rowOf = (r: { state: string; jurisdiction: string; file_type: string; offense: string }) => {
        const k = `${groupKey(r)}|${r.offense}`;
        if (!rows.has(k)) {
          // an offense code outside the current catalog (a null code or a retired code): listed as submitted
          rows.set(k, {
            state: r.state,
            jurisdiction: r.jurisdiction,
            fileType: r.file_type,
            offense: r.offense,
            offenseLabel: registry.entry('offense', r.offense)?.labelEs ?? r.offense,
            files: 0,
            victims: 0,
            victimsBySexAndAge: emptyVictims(),
          });
        }
        return rows.get(k)!;
      };
      for (const f of files) rowOf(f).files = f.files;
      for (const v of victims) {
        const row = rowOf(v);
        row.victims += v.n;
        row.victimsBySexAndAge[victimKey(v.sex, v.age)] += v.n;
      }
      const catalogVersions: Record<string, string> = {};
      for (const c of ['offense', 'state', 'jurisdiction-type', 'file-type', 'sex']) catalogVersions[c] = registry.version(c) ?? 'unknown';
      return {
        month,
        from,
        to,
        asOf: new Date(now).toISOString(),
        contributingAgencies: Number(agencies),
        catalogVersions,
        note: SESNSP_NOTE,
        rows: [...rows.values()],
      };
    });
  }
}

/** CSV (RFC 4180) of the export, SESNSP column order. */
export function sesnspCsv(e: SesnspExportDto): string {
  const esc = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const victimCols = SEXES.flatMap((s) => AGES.map((a) => victimKey(s, a)));
  const header = [
    'month',
    'state',
    'jurisdiction',
    'file_type',
    'offense',
    'offense_label',
    'files',
    'victims',
    ...victimCols.map((c) => c.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`).replace(/(\d+)/, '_$1')),
  ];
  const lines = e.rows.map((r) =>
    [
      e.month,
      r.state,
      r.jurisdiction,
      r.fileType,
      r.offense,
      r.offenseLabel,
      r.files,
      r.victims,
      ...victimCols.map((c) => r.victimsBySexAndAge[c]),
    ]
      .map(esc)
      .join(','),
  );
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}
