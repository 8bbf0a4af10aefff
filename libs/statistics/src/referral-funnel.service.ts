import { Inject, Injectable, Optional } from '@nestjs/common';
import { catalogRegistry } from '@app/catalogs';
import { DbContext } from '@app/db';
import { type FieldErrorDto, ProblemException } from '@app/http';
import type { FunnelStageDto, ReferralFunnelDto, ReferralFunnelQueryDto, ResponseTimeDto } from './dto/referral-funnel.dto';
import { keyOf, type StatCell, suppressCells } from './suppression';
import { defaultStatisticsOptions, STATISTICS_OPTIONS, type StatisticsMode, type StatisticsOptions } from './statistics.service';

const STAGE_LABELS: Record<string, { es: string; en: string }> = {
  sent: { es: 'Enviadas', en: 'Sent' },
  acknowledged: { es: 'Con acuse de recibo', en: 'Acknowledged' },
  responded: { es: 'Respondidas (aceptadas, rechazadas o redirigidas)', en: 'Responded (accepted, declined or redirected)' },
  accepted: { es: 'Aceptadas', en: 'Accepted' },
  declined: { es: 'Rechazadas', en: 'Declined' },
  redirected: { es: 'Redirigidas', en: 'Redirected' },
  closed: { es: 'Cerradas', en: 'Closed' },
};
const RESPONSES = ['accepted', 'declined', 'redirected'] as const;
const STEPS = [
  { step: 'acknowledge', at: 'acknowledged_at', due: 'acknowledge_due_at', stage: 'acknowledged' },
  { step: 'respond', at: 'responded_at', due: 'respond_due_at', stage: 'responded' },
  { step: 'close', at: 'closed_at', due: null, stage: 'closed' },
] as const;

const NOTE =
  'Counts referrals sent between agencies in the period (automatic notices to child protection excluded; a redirection creates a new referral). ' +
  'A referral counts in every stage it reached: stages are nested, not additive. Response times are hours from sending to the step, ' +
  'over the referrals that completed it; overdue = done after its deadline, or not done and past it.';

const pad = (n: number) => String(n).padStart(2, '0');
const hours = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);

/**
 * The referral funnel and response times by urgency (issue 9). Cross-agency aggregate like the other
 * statistics: counts and percentiles only, system privileges, read-only transaction; small counts suppressed
 * (with complementary suppression along each urgency line and the accepted/declined/redirected table).
 */
@Injectable()
export class ReferralFunnelService {
  private readonly registry = catalogRegistry();
  private readonly options: StatisticsOptions;

  constructor(
    private readonly db: DbContext,
    @Optional() @Inject(STATISTICS_OPTIONS) options?: StatisticsOptions,
  ) {
    this.options = options ?? defaultStatisticsOptions();
  }

  async funnel(q: ReferralFunnelQueryDto, mode: StatisticsMode): Promise<ReferralFunnelDto> {
    const errors: FieldErrorDto[] = [];
    const filters: Record<string, string[]> = {};
    for (const [name, catalog] of [['state', 'state'], ['receiverAgencyKind', 'agency-kind']] as const) {
      if (!q[name]) continue;
      const codes = [...new Set(q[name]!.split(','))];
      for (const c of codes) if (!this.registry.has(catalog, c)) errors.push({ pointer: `#/${name}`, detail: `${c} is not a code of catalog ${catalog}`, rule: 'isCode', catalog: `/v1/catalogs/${catalog}` });
      filters[name] = codes;
    }
    let from = q.from ?? null;
    let to = q.to ?? null;
    for (const [name, v] of [['from', from], ['to', to]] as const) {
      if (v && (Number.isNaN(new Date(`${v}T00:00:00Z`).getTime()) || new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) !== v)) {
        errors.push({ pointer: `#/${name}`, detail: `${name} is not a calendar date`, rule: 'date' });
      }
    }
    if (!errors.length && from && to && from > to) errors.push({ pointer: '#/from', detail: 'from is after to', rule: 'period' });
    if (errors.length) throw ProblemException.validation(errors);
    if (mode === 'suppressed') {
      if (from) from = `${from.slice(0, 7)}-01`;
      if (to) {
        const [y, m] = to.split('-').map(Number);
        to = `${y}-${pad(m)}-${pad(new Date(Date.UTC(y, m, 0)).getUTCDate())}`;
      }
    }
    const t = this.options.threshold;
    const urgencies = (this.registry.get('referral-urgency')?.entries ?? []).filter((e) => !e.retiredOn).map((e) => e.code);

    const { rows, now } = await this.db.system(async (em) => {
      await em.query(`SET TRANSACTION READ ONLY`);
      await em.query(`SET LOCAL statement_timeout = '30s'`);
      const params: unknown[] = [];
      const p = (v: unknown) => {
        params.push(v);
        return `$${params.length}`;
      };
      const where = [`rf.kind = 'referral'`];
      if (from) where.push(`rf.created_at >= (${p(from)}::date)::timestamp AT TIME ZONE 'UTC'`);
      if (to) where.push(`rf.created_at < ((${p(to)}::date + 1)::timestamp AT TIME ZONE 'UTC')`);
      if (filters.state) where.push(`rf.state = ANY(${p(filters.state)}::text[])`);
      if (filters.receiverAgencyKind) where.push(`ra.kind::text = ANY(${p(filters.receiverAgencyKind)}::text[])`);
      const secs = (at: string) => `extract(epoch FROM rf.${at} - rf.created_at) / 3600.0`;
      const stepCols = STEPS.map(
        (s) => `count(*) FILTER (WHERE rf.${s.at} IS NOT NULL)::int AS ${s.step}_n,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY ${secs(s.at)}) FILTER (WHERE rf.${s.at} IS NOT NULL) AS ${s.step}_p50,
          percentile_cont(0.9) WITHIN GROUP (ORDER BY ${secs(s.at)}) FILTER (WHERE rf.${s.at} IS NOT NULL) AS ${s.step}_p90
          ${
            s.due
              ? `, count(*) FILTER (WHERE rf.${s.at} > rf.${s.due} OR (rf.${s.at} IS NULL AND rf.closed_at IS NULL AND rf.responded_at IS NULL AND rf.${s.due} < now()))::int AS ${s.step}_overdue`
              : ''
          }`,
      );
      const sql = `SELECT GROUPING(rf.urgency) AS g, rf.urgency::text AS urgency, count(*)::int AS sent,
          count(*) FILTER (WHERE rf.responded_at IS NOT NULL AND rf.decline_reason IS NULL AND rf.redirected_to_agency_id IS NULL)::int AS accepted,
          count(*) FILTER (WHERE rf.decline_reason IS NOT NULL)::int AS declined,
          count(*) FILTER (WHERE rf.redirected_to_agency_id IS NOT NULL)::int AS redirected,
          ${stepCols.join(',\n')}
        FROM referrals rf JOIN agencies ra ON ra.id = rf.receiver_agency_id
        WHERE ${where.join(' AND ')}
        GROUP BY GROUPING SETS ((rf.urgency), ())`;
      const [{ now }] = await em.query(`SELECT now() AS now`);
      return { rows: (await em.query(sql, params)) as Array<Record<string, unknown>>, now: now as Date };
    });
    const byUrgency = new Map<string | null, Record<string, unknown>>();
    for (const r of rows) byUrgency.set(Number(r.g) === 1 ? null : String(r.urgency), r);
    const domain = [...urgencies, ...[...byUrgency.keys()].filter((u): u is string => u !== null && !urgencies.includes(u)).sort()];
    const num = (u: string | null, col: string) => Number(byUrgency.get(u)?.[col] ?? 0);

    // One line per simple stage (urgency cells + total); responses as a table response kind × urgency.
    const lines = new Map<string, Map<string, StatCell>>();
    let suppressedCells = 0;
    for (const stage of ['sent', 'acknowledged', 'closed']) {
      const col = stage === 'sent' ? 'sent' : stage === 'acknowledged' ? 'acknowledge_n' : 'close_n';
      const cells = new Map<string, StatCell>();
      for (const u of [...domain, null]) cells.set(keyOf([u]), { key: [u], value: num(u, col), suppressed: false });
      if (mode === 'suppressed') suppressedCells += suppressCells(cells, t);
      lines.set(stage, cells);
    }
    const table = new Map<string, StatCell>();
    for (const kind of [...RESPONSES, null]) {
      for (const u of [...domain, null]) table.set(keyOf([kind, u]), { key: [kind, u], value: kind ? num(u, kind) : num(u, 'respond_n'), suppressed: false });
    }
    if (mode === 'suppressed') suppressedCells += suppressCells(table, t);
    const cellOf = (stage: string, u: string | null): StatCell =>
      stage === 'responded' || (RESPONSES as readonly string[]).includes(stage)
        ? table.get(keyOf([stage === 'responded' ? null : stage, u]))!
        : lines.get(stage)!.get(keyOf([u]))!;
    const shown = (c: StatCell) => (c.suppressed ? null : c.value);

    const stages: FunnelStageDto[] = ['sent', 'acknowledged', 'responded', ...RESPONSES, 'closed'].map((stage) => {
      const total = cellOf(stage, null);
      return {
        stage,
        label: STAGE_LABELS[stage],
        value: shown(total),
        suppressed: total.suppressed,
        byUrgency: Object.fromEntries(domain.map((u) => [u, shown(cellOf(stage, u))])),
      };
    });
    const overdueCells = new Map<string, Map<string, StatCell>>();
    for (const s of STEPS) {
      if (!s.due) continue;
      const cells = new Map<string, StatCell>();
      for (const u of [...domain, null]) cells.set(keyOf([u]), { key: [u], value: num(u, `${s.step}_overdue`), suppressed: false });
      if (mode === 'suppressed') suppressedCells += suppressCells(cells, t);
      overdueCells.set(s.step, cells);
    }
    const responseTimes: ResponseTimeDto[] = [];
    for (const u of [null, ...domain]) {
      for (const s of STEPS) {
        const n = cellOf(s.stage, u);
        const hidden = mode === 'suppressed' && (n.suppressed || n.value < t);
        const od = overdueCells.get(s.step)?.get(keyOf([u]));
        responseTimes.push({
          urgency: u ?? 'all',
          step: s.step,
          n: shown(n),
          medianHours: hidden ? null : hours(byUrgency.get(u)?.[`${s.step}_p50`]),
          p90Hours: hidden ? null : hours(byUrgency.get(u)?.[`${s.step}_p90`]),
          overdue: od ? shown(od) : null,
        });
      }
    }
    return {
      unit: 'referral',
      period: { from, to, basis: 'date the referral was sent (UTC)' },
      asOf: new Date(now).toISOString(),
      filters,
      suppression: {
        applied: mode === 'suppressed',
        threshold: t,
        suppressedCells,
        method:
          mode === 'suppressed'
            ? `counts with 0 < value < ${t} withheld with complementary suppression along each urgency line; times withheld when fewer than ${t} referrals`
            : 'none (exact counts: scope statistics:exact)',
      },
      stages,
      responseTimes,
      note: NOTE,
    };
  }
}

/** CSV of the funnel: one line per stage × urgency (and `all`), then the response times. */
export function funnelCsv(r: ReferralFunnelDto): string {
  const esc = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const out = ['section,stage_or_step,urgency,value,median_hours,p90_hours,overdue'];
  for (const s of r.stages) {
    out.push(['stage', s.stage, 'all', s.value, '', '', ''].map(esc).join(','));
    for (const [u, v] of Object.entries(s.byUrgency)) out.push(['stage', s.stage, u, v, '', '', ''].map(esc).join(','));
  }
  for (const x of r.responseTimes) out.push(['time', x.step, x.urgency, x.n, x.medianHours, x.p90Hours, x.overdue].map(esc).join(','));
  return out.join('\r\n') + '\r\n';
}
