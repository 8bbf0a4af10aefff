import { Injectable } from '@nestjs/common';
import { catalogRegistry, isNullCode } from '@app/catalogs';
import { DbContext } from '@app/db';
import { COVERAGE_KINDS, type CoverageQueryDto, type CoverageResultDto } from './dto/coverage.dto';

const pad = (n: number) => String(n).padStart(2, '0');

/** First and last day of a period written YYYY, YYYY-Qn or YYYY-MM. */
export function periodBounds(period: string): { from: string; to: string } {
  const y = Number(period.slice(0, 4));
  const [m1, m2] =
    period.length === 4
      ? [1, 12]
      : period[5] === 'Q'
        ? [3 * Number(period[6]) - 2, 3 * Number(period[6])]
        : [Number(period.slice(5)), Number(period.slice(5))];
  return { from: `${y}-${pad(m1)}-01`, to: `${y}-${pad(m2)}-${pad(new Date(Date.UTC(y, m2, 0)).getUTCDate())}` };
}

/** Reference date of a record of any kind: the date its content refers to, else when it was first written. */
export const REFERENCE_DATE_SQL = `COALESCE(
  NULLIF(r.data->>'identifiedOn', '')::date, NULLIF(r.data->>'eventDate', '')::date, NULLIF(r.data->>'openedOn', '')::date,
  NULLIF(r.data->>'decisionDate', '')::date, (NULLIF(r.data->>'receivedAt', '')::timestamptz AT TIME ZONE 'America/Mexico_City')::date,
  (r.created_at AT TIME ZONE 'UTC')::date)`;

/**
 * Submission coverage (R35): which agencies submitted records for a period, and how many of the 32 states
 * have at least one reporting agency ("15 of 32 states reported"). Cross-agency by design, so it reads with
 * system privileges in a read-only transaction; it returns directory data and yes/no per agency, never
 * records or counts of records.
 */
@Injectable()
export class CoverageService {
  constructor(private readonly db: DbContext) {}

  async coverage(q: CoverageQueryDto): Promise<CoverageResultDto> {
    const { from, to } = periodBounds(q.period);
    const kinds = q.kind ? [q.kind] : [...COVERAGE_KINDS];
    const states = (catalogRegistry().get('state')?.entries ?? [])
      .filter((e) => !e.retiredOn && !isNullCode(e.code) && /^\d{2}$/.test(e.code))
      .map((e) => e.code);
    return this.db.system(async (em) => {
      await em.query(`SET TRANSACTION READ ONLY`);
      const rows: Array<{ code: string; name: string; kind: string; jurisdiction: string | null; kinds: string[]; last: Date | null }> =
        await em.query(
          `SELECT a.code, a.name, a.kind, a.jurisdiction,
                COALESCE(array_agg(DISTINCT s.kind ORDER BY s.kind) FILTER (WHERE s.kind IS NOT NULL), '{}') AS kinds, max(s.updated_at) AS last
           FROM agencies a
           LEFT JOIN (SELECT r.agency_id, r.kind, r.updated_at FROM records r
                       WHERE r.withdrawn_at IS NULL AND r.kind = ANY($1::text[]) AND ${REFERENCE_DATE_SQL} BETWEEN $2::date AND $3::date) s
                  ON s.agency_id = a.id
          WHERE a.active AND a.merged_into_id IS NULL
          GROUP BY a.id, a.code, a.name, a.kind, a.jurisdiction
          ORDER BY a.code`,
          [kinds, from, to],
        );
      const [{ now }] = await em.query(`SELECT now() AS now`);
      const items = rows.map((r) => ({
        code: r.code,
        name: r.name,
        kind: r.kind,
        jurisdiction: r.jurisdiction,
        reported: r.kinds.length > 0,
        kinds: r.kinds,
        lastSubmissionAt: r.last ? new Date(r.last).toISOString() : null,
      }));
      const reportingStates = new Set(
        items.filter((i) => i.reported && i.jurisdiction && states.includes(i.jurisdiction)).map((i) => i.jurisdiction!),
      );
      const reportingCodes = states.filter((s) => reportingStates.has(s));
      return {
        period: {
          code: q.period,
          from,
          to,
          basis:
            'identifiedOn / eventDate (victims), openedOn (cases), receivedAt (reports), decisionDate (judicial outcomes), else the date the record was first written',
        },
        kinds,
        asOf: new Date(now).toISOString(),
        states: {
          reporting: reportingCodes.length,
          total: states.length,
          summary: `${reportingCodes.length} of ${states.length} states reported`,
          reportingCodes,
          missingCodes: states.filter((s) => !reportingStates.has(s)),
        },
        agencies: {
          reporting: items.filter((i) => i.reported).length,
          active: items.length,
          federalReporting: items.filter((i) => i.reported && i.jurisdiction === 'FED').length,
        },
        items,
      };
    });
  }
}
