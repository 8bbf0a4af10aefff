import request from 'supertest';
import type { TestApp } from './test-app';
import type { TestPrincipal } from './principals';

/**
 * Helpers of the published-figures tests (apps/api/test/statistics-figures*.e2e-spec.ts): load synthetic
 * records through the batch API, read `GET /v1/statistics/{measure}`, pick cells, round shares the way the
 * sources do.
 */
export interface FigureCell {
  key: Record<string, string>;
  value: number | null;
  suppressed: boolean;
}
export interface FigureResult {
  unit: string;
  total: FigureCell;
  rows: FigureCell[];
  margins: Record<string, FigureCell[]>;
  contributingAgencies: number;
  completeness: Record<string, { base: number | null; noInformationPct: number | null }>;
  suppression: { applied: boolean; suppressedCells: number };
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** Whole-percent share, rounded as the published tables do. */
export const pct = (part: number, whole: number): number => Math.round((100 * part) / whole);
/** Share with one decimal. */
export const pct1 = (part: number, whole: number): number => Math.round((1000 * part) / whole) / 10;

/** Shared helpers over one test app (`t` and the `statistics:exact` principal are set in beforeAll). */
export function figuresHarness() {
  const h = {
    t: undefined as unknown as TestApp,
    exact: undefined as unknown as TestPrincipal,
    /** Atomic batches of at most 1,000; any rejected entry fails the test with the entry's problem. */
    async post(who: TestPrincipal, kind: string, entries: object[]) {
      for (let i = 0; i < entries.length; i += 1000) {
        const res = await request(h.t.baseUrl)
          .post(`/v1/${kind}/batch`)
          .auth(who.token, { type: 'bearer' })
          .send({ entries: entries.slice(i, i + 1000), atomic: true });
        if (res.status !== 200 || res.body.summary?.rejected !== 0) {
          const bad = (res.body.results ?? []).find((r: { status: string }) => r.status === 'rejected');
          throw new Error(`${kind} batch failed: ${res.status} ${JSON.stringify(bad ?? res.body).slice(0, 600)}`);
        }
      }
    },
    async stat(measure: string, query: string, who?: TestPrincipal): Promise<FigureResult> {
      const res = await request(h.t.baseUrl)
        .get(`/v1/statistics/${measure}?${query}`)
        .auth((who ?? h.exact).token, { type: 'bearer' });
      if (res.status !== 200) throw new Error(`${measure}?${query} → ${res.status} ${JSON.stringify(res.body).slice(0, 600)}`);
      return res.body as FigureResult;
    },
    /** The row with this key; it must be listed (a zero row included). */
    cell(r: FigureResult, key: Record<string, string>): number {
      const row = r.rows.find((x) => Object.entries(key).every(([k, v]) => x.key[k] === v));
      if (!row) throw new Error(`no row ${JSON.stringify(key)}`);
      return row.value!;
    },
    margin(r: FigureResult, dim: string, code: string): number {
      const row = r.margins[dim].find((x) => x.key[dim] === code);
      if (!row) throw new Error(`no margin ${dim}=${code}`);
      return row.value!;
    },
    /** Rows with a non-zero value. */
    nonZero: (r: FigureResult) => r.rows.filter((x) => (x.value ?? 0) > 0),
    /** code → value of the non-zero rows of a one-way table. */
    byKey: (r: FigureResult, dim: string): Record<string, number> => Object.fromEntries(r.rows.filter((x) => x.value).map((x) => [x.key[dim], x.value as number])),
    /** The whole offense catalog is listed and every offense without records is a zero row. */
    async expectOffenseZeros(r: FigureResult, used: string[]) {
      const res = await request(h.t.baseUrl).get('/v1/catalogs/offense').auth(h.exact.token, { type: 'bearer' });
      const codes = (res.body.entries as Array<{ code: string; nullCode?: boolean; retiredOn?: string | null }>)
        .filter((e) => !e.nullCode && !e.retiredOn)
        .map((e) => e.code);
      expect(r.rows.map((x) => x.key.offense).sort()).toEqual(codes.sort());
      const zeros = r.rows.filter((x) => !used.includes(x.key.offense));
      expect(zeros.length).toBe(codes.length - used.length);
      expect(zeros.every((x) => x.value === 0)).toBe(true);
      expect(r.rows.filter((x) => used.includes(x.key.offense)).every((x) => x.value! > 0)).toBe(true);
    },
  };
  return h;
}
