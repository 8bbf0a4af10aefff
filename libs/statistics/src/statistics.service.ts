import { Inject, Injectable, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { catalogRegistry, isNullCode } from '@app/catalogs';
import { DbContext } from '@app/db';
import { type FieldErrorDto, ProblemException } from '@app/http';
import type { CodeLabelDto, CompletenessDto, StatisticsCellDto, StatisticsQueryDto, StatisticsResultDto } from './dto/statistics.dto';
import { baseSql, type Dimension, DIMENSIONS, MEASURE_DEFS, type Measure, type MeasureDef, REFERRAL_STATUS_LABELS } from './measures';
import { keyOf, type StatCell, suppressCells } from './suppression';
import { binsAligned, cubeSql, OFFENSE_DIMS, refreshSummaries, subsetTable, summaryDimensions, summaryRelations } from './summaries';

export const STATISTICS_OPTIONS = Symbol('STATISTICS_OPTIONS');
export interface StatisticsOptions {
  /** Cells with 0 < value < threshold are suppressed for callers without `statistics:exact`. */
  threshold: number;
  /** Answer from the pre-aggregated summaries when they can (STATISTICS_PREAGGREGATION=false turns it off). */
  preAggregation?: boolean;
}
export const defaultStatisticsOptions = (): StatisticsOptions => ({
  threshold: Math.max(2, Number(process.env.STATISTICS_SUPPRESSION_THRESHOLD ?? 5) || 5),
  preAggregation: process.env.STATISTICS_PREAGGREGATION !== 'false',
});

export type StatisticsMode = 'exact' | 'suppressed';

const MAX_CELLS = 20_000;
const TIME_DIMS: Dimension[] = ['year', 'quarter', 'month'];

interface AgeBin {
  code: string;
  min: number;
  max: number | null;
  label: CodeLabelDto;
}

export const NOTE =
  'Each unit is counted once in the total and once in every row it belongs to: a victim of two offenses counts once in the total ' +
  'and once in each offense row, and a person registered by several agencies counts once (measure victims) — so rows need not add ' +
  'up to the total. Multi-valued variables (offense, exploitation form, nationality, vulnerable group, state of the case) count ' +
  'the unit in each of its values. Withdrawn records are excluded.';

const pad = (n: number) => String(n).padStart(2, '0');

function parseBands(spec: string, pointer: string): AgeBin[] {
  const bins: AgeBin[] = [];
  let next = 0;
  for (const part of spec.split(',')) {
    const open = part.endsWith('+');
    const [a, b] = open ? [Number(part.slice(0, -1)), null] : part.split('-').map(Number);
    if (a !== next || (b !== null && (b as number) < a) || (bins.length && bins[bins.length - 1].max === null)) {
      throw ProblemException.validation([{ pointer, detail: 'customAgeBands must be ascending, contiguous from 0 and non-overlapping', rule: 'bands' }]);
    }
    next = b === null ? Infinity : (b as number) + 1;
    bins.push({ code: part, min: a, max: b as number | null, label: { es: `${part} años`, en: `${part} years` } });
  }
  return bins;
}

/**
 * Cross-agency statistics (R2, R4, R8, R30, R31, R34): counts only, computed with system privileges in a
 * read-only transaction. Small cells are suppressed unless the caller may see exact counts.
 */
@Injectable()
export class StatisticsService {
  private readonly registry = catalogRegistry();
  private readonly options: StatisticsOptions;

  constructor(
    private readonly db: DbContext,
    @Optional() @Inject(STATISTICS_OPTIONS) options?: StatisticsOptions,
  ) {
    this.options = options ?? defaultStatisticsOptions();
  }

  get threshold(): number {
    return this.options.threshold;
  }

  private get preAggregation(): boolean {
    return this.options.preAggregation !== false;
  }

  /** `path: 'records'` forces the un-aggregated path (used to check the summaries against it). */
  async compute(measure: Measure, q: StatisticsQueryDto, mode: StatisticsMode, opts: { path?: 'auto' | 'records' } = {}): Promise<StatisticsResultDto> {
    const def = MEASURE_DEFS[measure];
    const errors: FieldErrorDto[] = [];
    // Default: by offense (R2); measures without offenses group by their first dimension.
    const groupBy = (q.groupBy ?? (def.dimensions.offense ? 'offense' : Object.keys(def.dimensions)[0])).split(',') as Dimension[];
    for (const d of groupBy) {
      if (!(DIMENSIONS as readonly string[]).includes(d) || !def.dimensions[d]) {
        errors.push({ pointer: '#/groupBy', detail: `${d} is not a dimension of ${measure}`, rule: 'dimension', allowed: Object.keys(def.dimensions) });
      }
    }
    if (new Set(groupBy).size !== groupBy.length) errors.push({ pointer: '#/groupBy', detail: 'a dimension is repeated', rule: 'unique' });

    const bins: AgeBin[] = q.customAgeBands
      ? parseBands(q.customAgeBands, '#/customAgeBands')
      : (this.registry.get('age-group')?.entries ?? [])
          .filter((e) => e.scheme === (q.ageScheme ?? 'legal_majority'))
          .map((e) => ({ code: e.code, min: Number(e.minAge), max: e.maxAge === null ? null : Number(e.maxAge), label: { es: e.labelEs, en: e.labelEn } }));
    const ageBins = q.customAgeBands ? `custom:${q.customAgeBands}` : (q.ageScheme ?? 'legal_majority');

    // Filters.
    const filters: Partial<Record<Dimension, string[]>> = {};
    for (const d of DIMENSIONS) {
      const raw = (q as Record<string, string | undefined>)[d];
      if (raw === undefined || TIME_DIMS.includes(d)) continue;
      const dim = def.dimensions[d];
      if (!dim) {
        errors.push({ pointer: `#/${d}`, detail: `${d} is not a dimension of ${measure}`, rule: 'dimension' });
        continue;
      }
      const codes = [...new Set(raw.split(','))];
      for (const c of codes) {
        const ok =
          d === 'ageGroup' ? bins.some((b) => b.code === c) || c === 'SI' || c === 'NA' : dim.codes ? dim.codes.includes(c) : this.registry.has(dim.catalog!, c);
        if (!ok) {
          errors.push({
            pointer: `#/${d}`,
            detail: `${c} is not a code of ${d === 'ageGroup' ? `the age bins ${ageBins}` : dim.codes ? d : `catalog ${dim.catalog}`}`,
            rule: 'isCode',
            ...(d === 'ageGroup' ? { allowed: [...bins.map((b) => b.code), 'SI', 'NA'] } : dim.codes ? { allowed: [...dim.codes] } : { catalog: `/v1/catalogs/${dim.catalog}` }),
          });
        }
      }
      filters[d] = codes;
    }

    // Period: suppressed output is widened to whole months (a day-by-day difference could isolate a unit).
    let from = q.from ?? null;
    let to = q.to ?? null;
    for (const [name, v] of [['from', from], ['to', to]] as const) {
      if (v && Number.isNaN(new Date(`${v}T00:00:00Z`).getTime())) errors.push({ pointer: `#/${name}`, detail: `${name} is not a calendar date`, rule: 'date' });
      else if (v && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v) errors.push({ pointer: `#/${name}`, detail: `${name} is not a calendar date`, rule: 'date' });
    }
    if (from && to && from > to) errors.push({ pointer: '#/from', detail: 'from is after to', rule: 'period' });
    let asOf: Date | undefined;
    if (q.asOf && !def.asOf) {
      errors.push({ pointer: '#/asOf', detail: `asOf is not available for ${measure} (no version history of its projection)`, rule: 'as-of-unsupported' });
    } else if (q.asOf) {
      asOf = new Date(q.asOf);
      if (Number.isNaN(asOf.getTime())) errors.push({ pointer: '#/asOf', detail: 'asOf is not a valid instant', rule: 'date' });
      else if (asOf.getTime() > Date.now()) errors.push({ pointer: '#/asOf', detail: 'asOf is in the future', rule: 'not-future' });
    }
    if (errors.length) throw ProblemException.validation(errors);
    if (mode === 'suppressed') {
      if (from) from = `${from.slice(0, 7)}-01`;
      if (to) {
        const [y, m] = to.split('-').map(Number);
        to = `${y}-${pad(m)}-${pad(new Date(Date.UTC(y, m, 0)).getUTCDate())}`;
      }
      // A cut-off is rounded down to the start of its day (UTC) for the same reason.
      if (asOf) asOf = new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate()));
    }

    // Pre-aggregated summaries answer when they hold every dimension used, the period is whole months
    // and the age bins follow the elementary bands; they are brought up to date first.
    const sdims = this.preAggregation && opts.path !== 'records' && !asOf ? summaryDimensions(measure) : null;
    const monthStart = (d: string | null) => d === null || d.endsWith('-01');
    const monthEnd = (d: string | null) => d === null || new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).getUTCDate() === 1;
    const summary =
      !!sdims &&
      [...groupBy, ...(Object.keys(filters) as Dimension[])].every((d) => sdims[d]) &&
      monthStart(from) &&
      monthEnd(to) &&
      (!(groupBy.includes('ageGroup') || filters.ageGroup) || binsAligned(bins)) &&
      // Files are counted charge by charge on the record-level path: a filter on an offense dimension keeps
      // only the matching charges, which a file's offense set cannot reproduce when grouping by offense too.
      !(measure === 'cases' && groupBy.some((d) => OFFENSE_DIMS.includes(d)) && (Object.keys(filters) as Dimension[]).some((d) => OFFENSE_DIMS.includes(d)));
    if (summary) await this.db.system((em) => refreshSummaries(em));
    return this.db.system(async (em) => {
      await em.query(`SET TRANSACTION READ ONLY`);
      await em.query(`SET LOCAL statement_timeout = '30s'`);
      return this.run(em, measure, def, { groupBy, filters, from, to, asOf, bins, ageBins, mode, summary });
    });
  }

  /** The person_links table of libs/matching (record_id → person_id), when it exists. */
  private personLinksKnown = false;
  private async hasPersonLinks(em: EntityManager): Promise<boolean> {
    if (this.personLinksKnown) return true; // a table once there stays there
    const [row] = await em.query(
      `SELECT count(*)::int AS n FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = 'person_links' AND column_name IN ('record_id', 'person_id')`,
    );
    this.personLinksKnown = row.n === 2;
    return row.n === 2;
  }

  /** Counts from the summaries: per subset of the grouped dimensions, unnesting only that subset's multi-valued ones. */
  private async countSummary(
    em: EntityManager,
    measure: Measure,
    groupBy: Dimension[],
    col: (d: Dimension) => string,
    dims: Partial<Record<Dimension, { multi: boolean }>>,
    where: string[],
    params: unknown[],
    subsets: number[][],
    used: Set<Dimension>,
    period: { from: string | null; to: string | null },
    filterDims: Dimension[],
  ): Promise<Array<Record<string, unknown>>> {
    const rel = summaryRelations(measure, used, period);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    // Each grouping set reads the smallest summary that holds its own dimensions and the filters'.
    const cubeFor = (subset: number[]) => cubeSql(measure, subsetTable(measure, subset.map((i) => groupBy[i]), filterDims, period));
    const part = (source: string | ((subset: number[]) => string), count: string) =>
      subsets
        .map((subset) => {
          const cols = groupBy.map((d, i) => (subset.includes(i) ? `0 AS a${i}, ${dims[d]!.multi ? `u${i}.v` : col(d)} AS g${i}` : `1 AS a${i}, NULL::text AS g${i}`));
          const laterals = subset.filter((i) => dims[groupBy[i]]!.multi).map((i) => `CROSS JOIN LATERAL unnest(${col(groupBy[i])}) AS u${i}(v)`);
          const keys = subset.map((i) => `g${i}`);
          const from = typeof source === 'string' ? source : source(subset);
          return `SELECT ${[...cols, `${count} AS n`].join(', ')} FROM (${from}) b ${laterals.join(' ')} ${filter} ${keys.length ? `GROUP BY ${keys.join(', ')}` : ''}`;
        })
        .join('\nUNION ALL\n');
    const rows: Array<Record<string, unknown>> = await em.query(part(cubeFor, 'COALESCE(sum(b.n), 0)::bigint'), params);
    if (rel.units) rows.push(...((await em.query(part(rel.units, 'count(DISTINCT b.uid)::bigint'), params)) as Array<Record<string, unknown>>));
    // Persons counted from the cube and from the unit rows are disjoint: add per key.
    const merged = new Map<string, Record<string, unknown>>();
    for (const r of rows) {
      const id = JSON.stringify(groupBy.map((_, i) => (Number(r[`a${i}`]) === 1 ? null : String(r[`g${i}`]))));
      const m = merged.get(id);
      if (m) m.n = Number(m.n) + Number(r.n);
      else merged.set(id, { ...r, n: Number(r.n) });
    }
    return [...merged.values()];
  }

  /** Contributing agencies and completeness counts from the summaries. */
  private async summaryProvenance(
    em: EntityManager,
    measure: Measure,
    completenessDims: Dimension[],
    cond: (d: Dimension, code: string) => string,
    where: string[],
    params: unknown[],
    used: Set<Dimension>,
    period: { from: string | null; to: string | null },
  ): Promise<Record<string, number>> {
    const rel = summaryRelations(measure, used, period);
    const filter = where.length ? `AND ${where.join(' AND ')}` : '';
    // An agency contributes when one of its units passes the filters (index on agency_id, month).
    const [{ agencies }] = await em.query(
      `SELECT count(*)::int AS agencies FROM agencies a WHERE EXISTS (SELECT 1 FROM (${rel.agencies}) b WHERE b.agency_id = a.id ${filter})`,
      params,
    );
    const out: Record<string, number> = { agencies: Number(agencies) };
    if (!completenessDims.length) return out;
    const cols = (count: (c: string) => string) =>
      completenessDims
        .map((d, i) => `${count(cond(d, 'SI'))} AS si${i}, ${count(cond(d, 'NR'))} AS nr${i}, ${count(`${cond(d, 'SI')} OR ${cond(d, 'NR')}`)} AS ni${i}`)
        .join(', ');
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [c] = await em.query(`SELECT ${cols((x) => `COALESCE(sum(b.n) FILTER (WHERE ${x}), 0)::int`)} FROM (${rel.cube}) b ${w}`, params);
    const [u] = rel.units ? await em.query(`SELECT ${cols((x) => `count(DISTINCT b.uid) FILTER (WHERE ${x})::int`)} FROM (${rel.units}) b ${w}`, params) : [{}];
    for (const k of Object.keys(c)) out[k] = Number(c[k]) + Number(u[k] ?? 0);
    return out;
  }

  private async run(
    em: EntityManager,
    measure: Measure,
    def: MeasureDef,
    o: {
      groupBy: Dimension[];
      filters: Partial<Record<Dimension, string[]>>;
      from: string | null;
      to: string | null;
      asOf?: Date;
      bins: AgeBin[];
      ageBins: string;
      mode: StatisticsMode;
      summary?: boolean;
    },
  ): Promise<StatisticsResultDto> {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const personLinks = (def.kind === 'victims' || def.persons === true) && (await this.hasPersonLinks(em));
    const [{ now }] = await em.query(`SELECT now() AS now`);
    const cutoff: Date = o.asOf ?? now;
    const used = new Set<Dimension>([...o.groupBy, ...(Object.keys(o.filters) as Dimension[])]);
    const base = baseSql(def, {
      asOfParam: o.asOf ? p(o.asOf.toISOString()) : undefined,
      personLinks,
      caseGeography: def.kind === 'victims' && (used.has('state') || used.has('jurisdiction')),
    });
    const ageExpr = `(CASE WHEN b.age IS NULL THEN 'SI' ${o.bins
      .map((bin) => `WHEN b.age >= ${bin.min}${bin.max === null ? '' : ` AND b.age <= ${bin.max}`} THEN '${bin.code.replace(/'/g, "''")}'`)
      .join(' ')} ELSE 'NA' END)`;
    const dims = (o.summary ? summaryDimensions(measure) : def.dimensions)!;
    const col = (d: Dimension) => (d === 'ageGroup' ? ageExpr : dims[d]!.column);

    const where: string[] = [];
    for (const [d, codes] of Object.entries(o.filters) as Array<[Dimension, string[]]>) {
      const dim = dims[d]!;
      where.push(dim.multi ? `${col(d)} && ${p(codes)}::text[]` : `${col(d)} = ANY(${p(codes)}::text[])`);
    }
    if (o.summary) {
      // Whole months: compare the month column (indexed in the unit rows).
      if (o.from) where.push(`b.month >= ${p(o.from.slice(0, 7))} AND b.month <> 'SI'`);
      if (o.to) where.push(`b.month <= ${p(o.to.slice(0, 7))}`);
    } else {
      if (o.from) where.push(`b.ref_date >= ${p(o.from)}::date`);
      if (o.to) where.push(`b.ref_date <= ${p(o.to)}::date`);
    }
    const cte = `WITH b0 AS (${base}), f AS (SELECT b.* FROM b0 b ${where.length ? `WHERE ${where.join(' AND ')}` : ''})`;

    // Every subset of the grouped dimensions: the table, its margins, the total.
    const k = o.groupBy.length;
    const laterals = o.groupBy
      .map((d, i) => (dims[d]!.multi ? `CROSS JOIN LATERAL unnest(${col(d)}) AS u${i}(v)` : ''))
      .join(' ');
    const gExpr = (d: Dimension, i: number) => (dims[d]!.multi ? `u${i}.v` : col(d));
    const subsets: number[][] = [];
    for (let mask = (1 << k) - 1; mask >= 0; mask--) subsets.push([...Array(k).keys()].filter((i) => mask & (1 << i)));
    const sql = `${cte}
      SELECT ${o.groupBy.map((_, i) => `GROUPING(x.g${i}) AS a${i}, x.g${i}`).join(', ')}${k ? ',' : ''} count(DISTINCT x.uid)::int AS n
        FROM (SELECT ${def.unitId.replace(/^b\./, 'b.')} AS uid${o.groupBy.map((d, i) => `, ${gExpr(d, i)} AS g${i}`).join('')} FROM f b ${laterals}) x
       GROUP BY GROUPING SETS (${subsets.map((s) => `(${s.map((i) => `x.g${i}`).join(', ')})`).join(', ')})`;
    const counted: Array<Record<string, unknown>> = o.summary ? await this.countSummary(em, measure, o.groupBy, col, dims, where, params, subsets, used, { from: o.from, to: o.to }, Object.keys(o.filters) as Dimension[]) : await em.query(sql, params);

    const observed: Array<Set<string>> = o.groupBy.map(() => new Set());
    const cells = new Map<string, StatCell>();
    for (const r of counted) {
      const key = o.groupBy.map((_, i) => (Number(r[`a${i}`]) === 1 ? null : String(r[`g${i}`])));
      key.forEach((v, i) => v !== null && observed[i].add(v));
      cells.set(keyOf(key), { key, value: Number(r.n), suppressed: false });
    }

    // Domains: the filter's codes; else every catalog code for offense/sex/jurisdiction (R2) or the age bins; else what was observed.
    const domains = o.groupBy.map((d, i) => {
      const seen = [...observed[i]];
      let listed: string[];
      if (o.filters[d]) listed = o.filters[d]!;
      else if (d === 'ageGroup') listed = o.bins.map((b) => b.code);
      else if (def.dimensions[d]!.codes) listed = [...def.dimensions[d]!.codes!];
      else if (def.dimensions[d]!.fullDomain) listed = (this.registry.get(def.dimensions[d]!.catalog!)?.entries ?? []).filter((e) => !e.retiredOn).map((e) => e.code);
      else listed = [];
      const extra = seen.filter((v) => !listed.includes(v)).sort();
      return TIME_DIMS.includes(d) ? [...listed, ...extra].sort() : [...listed, ...extra];
    });
    const size = domains.reduce((s, dom) => s * Math.max(1, dom.length), 1);
    if (size > MAX_CELLS) {
      throw ProblemException.validation(
        [{ pointer: '#/groupBy', detail: `the table would have ${size} cells (more than ${MAX_CELLS}); group by fewer dimensions or filter`, rule: 'max-cells' }],
        'Table too large',
      );
    }
    for (const subset of subsets) {
      let keys: (string | null)[][] = [Array(k).fill(null)];
      for (const i of subset) keys = keys.flatMap((key) => domains[i].map((v) => Object.assign([...key], { [i]: v })));
      for (const key of keys) if (!cells.has(keyOf(key))) cells.set(keyOf(key), { key, value: 0, suppressed: false });
    }
    const suppressedCells = o.mode === 'suppressed' ? suppressCells(cells, this.options.threshold) : 0;

    const label = (d: Dimension, code: string): CodeLabelDto => {
      if (d === 'ageGroup') {
        const bin = o.bins.find((b) => b.code === code);
        if (bin) return bin.label;
      }
      if (d === 'status' && def.dimensions[d]?.codes && REFERRAL_STATUS_LABELS[code]) return REFERRAL_STATUS_LABELS[code];
      const catalog = def.dimensions[d]?.catalog;
      const e = (isNullCode(code) ? this.registry.entry('null-code', code) : undefined) ?? (catalog ? this.registry.entry(catalog, code) : undefined);
      return e ? { es: e.labelEs, en: e.labelEn } : { es: code, en: code };
    };
    const toDto = (c: StatCell): StatisticsCellDto => {
      const key: Record<string, string> = {};
      const labels: Record<string, CodeLabelDto> = {};
      o.groupBy.forEach((d, i) => {
        if (c.key[i] === null) return;
        key[d] = c.key[i]!;
        labels[d] = label(d, c.key[i]!);
      });
      return { key, labels, value: c.suppressed ? null : c.value, suppressed: c.suppressed };
    };
    let rowKeys: (string | null)[][] = [[]];
    o.groupBy.forEach((_, i) => (rowKeys = rowKeys.flatMap((key) => domains[i].map((v) => [...key, v]))));
    const rows = k ? rowKeys.map((key) => toDto(cells.get(keyOf(key))!)) : [];
    const margins: Record<string, StatisticsCellDto[]> = {};
    if (k > 1) {
      o.groupBy.forEach((d, i) => {
        margins[d] = domains[i].map((v) => toDto(cells.get(keyOf(o.groupBy.map((_, j) => (j === i ? v : null))))!));
      });
    }
    const totalCell = cells.get(keyOf(Array(k).fill(null)))!;
    const total = toDto(totalCell);
    total.labels = {
      total: def.dimensions.offense
        ? { es: 'Todos los delitos de la Ley General (cada unidad una vez)', en: 'All General Law offenses (each unit once)' }
        : { es: 'Total (cada unidad una vez)', en: 'Total (each unit once)' },
    };

    // Provenance: contributing agencies, completeness, last change included.
    const completenessDims = [...used].filter((d) => !TIME_DIMS.includes(d));
    const cond = (d: Dimension, code: string) => (d === 'ageGroup' ? (code === 'SI' ? 'b.age IS NULL' : 'false') : dims[d]!.multi ? `'${code}' = ANY(${col(d)})` : `${col(d)} = '${code}'`);
    const [prov] = o.summary ? [await this.summaryProvenance(em, measure, completenessDims, cond, where, params, used, { from: o.from, to: o.to })] : await em.query(
      `${cte} SELECT count(DISTINCT b.agency_id)::int AS agencies
         ${completenessDims.map((d, i) => `, count(DISTINCT ${def.unitId}) FILTER (WHERE ${cond(d, 'SI')})::int AS si${i}, count(DISTINCT ${def.unitId}) FILTER (WHERE ${cond(d, 'NR')})::int AS nr${i}, count(DISTINCT ${def.unitId}) FILTER (WHERE ${cond(d, 'SI')} OR ${cond(d, 'NR')})::int AS ni${i}`).join('')}
         FROM f b`,
      params,
    );
    const [last] =
      def.kind === 'referrals'
        ? await em.query(`SELECT max(at) AS at FROM referral_events WHERE at <= $1`, [cutoff])
        : await em.query(`SELECT changed_at AS at FROM record_versions WHERE kind = $1 AND changed_at <= $2 ORDER BY changed_at DESC LIMIT 1`, [def.kind, cutoff]);
    const completeness: Record<string, CompletenessDto> = {};
    const pct = (n: number) => (totalCell.value ? Math.round((1000 * n) / totalCell.value) / 10 : 0);
    const safe = (n: number) => o.mode === 'exact' || ((n === 0 || n >= this.options.threshold) && (totalCell.value - n === 0 || totalCell.value - n >= this.options.threshold));
    completenessDims.forEach((d, i) => {
      const [si, nr, ni] = [prov[`si${i}`], prov[`nr${i}`], prov[`ni${i}`]].map(Number);
      // A share must not reveal a withheld cell: when the dimension is grouped, its SI / NR margin decides.
      const g = o.groupBy.indexOf(d);
      const hiddenIn = (code: string) => g >= 0 && cells.get(keyOf(o.groupBy.map((_, j) => (j === g ? code : null))))?.suppressed === true;
      const show = (n: number, ...codes: string[]) => (safe(n) && !totalCell.suppressed && !codes.some(hiddenIn) ? pct(n) : null);
      completeness[d] = {
        base: totalCell.suppressed ? null : totalCell.value,
        unknownPct: show(si, 'SI'),
        notRecordedPct: show(nr, 'NR'),
        noInformationPct: show(ni, 'SI', 'NR'),
      };
    });

    const catalogVersions: Record<string, string> = {};
    for (const c of def.catalogs) catalogVersions[c] = this.registry.version(c) ?? 'unknown';
    catalogVersions['counting-unit'] = this.registry.version('counting-unit') ?? 'unknown';
    const unitEntry = this.registry.entry('counting-unit', def.unit);
    return {
      measure,
      unit: def.unit,
      unitLabel: { es: unitEntry?.labelEs ?? def.unit, en: unitEntry?.labelEn ?? def.unit },
      period: { from: o.from, to: o.to, basis: def.basis },
      asOf: new Date(cutoff).toISOString(),
      lastChangeAt: last?.at ? new Date(last.at).toISOString() : null,
      filters: o.filters as Record<string, string[]>,
      groupBy: o.groupBy,
      ageBins: used.has('ageGroup') ? o.ageBins : null,
      catalogVersions,
      contributingAgencies: Number(prov.agencies),
      completeness,
      personLinkage: personLinks,
      preAggregated: !!o.summary,
      suppression: {
        applied: o.mode === 'suppressed',
        threshold: this.options.threshold,
        suppressedCells,
        method:
          o.mode === 'suppressed'
            ? `cells with 0 < value < ${this.options.threshold} withheld, plus complementary cells so that no withheld value can be derived from a total or margin (docs/statistics.md)`
            : 'none (exact counts: scope statistics:exact)',
      },
      total,
      rows,
      margins,
      note: measure === 'victims' && !personLinks ? `${NOTE} Person-level linkage is not available yet: each registration counts as a person.` : NOTE,
    };
  }
}

/** CSV of the table (RFC 4180), one row per cell plus the total; provenance goes in the response headers. */
export function toCsv(r: StatisticsResultDto): string {
  const esc = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const header = [...r.groupBy.flatMap((d) => [d, `${d}_label`]), 'value', 'suppressed', 'unit'];
  const line = (c: StatisticsCellDto, total = false) =>
    [...r.groupBy.flatMap((d) => (total ? ['TOTAL', c.labels.total?.es ?? ''] : [c.key[d], c.labels[d]?.es])), c.value, c.suppressed, r.unit].map(esc).join(',');
  return [header.join(','), ...r.rows.map((c) => line(c)), line(r.total, true)].join('\r\n') + '\r\n';
}
