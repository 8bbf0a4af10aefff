import { existsSync, readFileSync } from 'node:fs';
import request from 'supertest';
import { createPrincipal, startTestApp, type TestApp } from '@app/testing';

/**
 * The public dashboard in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core): it loads
 * in Spanish, switches to English, a click on a filter redraws the charts with the API's figures, and the
 * downloaded CSV has the same numbers as the chart. DASHBOARD_SCREENSHOT=docs/dashboard.png also saves a
 * screenshot. Skipped (with a message) only when Chromium is absent outside CI; in CI it must run.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`dashboard test: ${CHROMIUM} is missing in CI (apt-get install -y chromium)`);
if (!available) process.stderr.write(`dashboard test SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium)\n`);
const maybe = available ? describe : describe.skip;

interface Cell {
  key: Record<string, string>;
  value: number | null;
  suppressed: boolean;
}

const victim = (localId: string, sex: string, offenses: string[], identifiedOn: string, ageAtEvent?: number) => ({
  localId,
  sex,
  ...(ageAtEvent === undefined ? {} : { ageAtEvent }),
  identifiedOn,
  nationality: ['MEX'],
  stateOfOrigin: '09',
  vulnerableGroups: ['SI'],
  victimType: 'direct',
  offenses,
});

maybe('dashboard in headless Chromium', () => {
  let t: TestApp;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let browser: any;
  const year = new Date().getFullYear() - 1;

  beforeAll(async () => {
    t = await startTestApp();
    const a = await createPrincipal(t, { kind: 'prosecutor', scopes: ['victims:write', 'cases:write', 'referrals:read', 'referrals:write'] });
    const b = await createPrincipal(t, { kind: 'victim_commission', scopes: ['referrals:read', 'referrals:write'] });
    // Enough victims that most cells are published (threshold 5), in two years, both sexes.
    const entries = [
      ...Array.from({ length: 24 }, (_, i) => victim(`F-${i}`, 'female', i % 3 ? ['LGT-13'] : ['LGT-13', 'LGT-21'], `${year}-0${1 + (i % 9)}-10`, 14 + i)),
      ...Array.from({ length: 12 }, (_, i) => victim(`M-${i}`, 'male', ['LGT-22'], `${year}-05-0${1 + (i % 9)}`, 30 + i)),
      ...Array.from({ length: 9 }, (_, i) => victim(`P-${i}`, 'female', ['LGT-21'], `${year - 1}-06-1${i}`)),
    ];
    const res = await request(t.baseUrl).post('/v1/victims/batch').auth(a.token, { type: 'bearer' }).send({ entries, atomic: true });
    if (res.status >= 300 || res.body.summary?.rejected !== 0) throw new Error(`seed failed: ${res.status}`);
    for (let i = 0; i < 6; i++) {
      const c = await request(t.baseUrl)
        .put(`/v1/cases/CI-${i}`)
        .auth(a.token, { type: 'bearer' })
        .send({ fileNumber: `CI-${i}`, fileType: 'carpeta_investigacion', jurisdiction: 'fuero_comun', state: i < 5 ? '09' : '14', openedOn: `${year}-03-0${1 + i}`, charges: [{ offense: 'LGT-13', attempted: false, stage: 'investigated' }] });
      if (c.status >= 300) throw new Error(`case failed: ${c.status}`);
    }
    // Referrals for the funnel: 7 sent, 6 acknowledged, 5 accepted.
    for (let i = 0; i < 7; i++) {
      const r = await request(t.baseUrl)
        .post('/v1/referrals')
        .auth(a.token, { type: 'bearer' })
        .send({ toAgency: b.agencyCode, subject: { kind: 'victims', localId: `F-${i}` }, reason: 'victim_assistance', urgency: i % 2 ? 'urgent' : 'routine', shared: ['victim.demographics'] });
      if (r.status !== 201) throw new Error(`referral failed: ${r.status} ${JSON.stringify(r.body)}`);
      for (const to of i < 6 ? (i < 5 ? ['acknowledged', 'accepted'] : ['acknowledged']) : []) {
        const m = await request(t.baseUrl).post(`/v1/referrals/${r.body.id}/transitions`).auth(b.token, { type: 'bearer' }).send({ to });
        if (m.status !== 200) throw new Error(`transition failed: ${m.status} ${JSON.stringify(m.body)}`);
      }
    }
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const api = async (path: string): Promise<{ rows: Cell[]; total: Cell; groupBy: string[] }> => {
    const res = await request(t.baseUrl).get(path);
    expect(res.status).toBe(200);
    return res.body;
  };
  /** The API's non-zero cells as key → value ('' when withheld), the way the chart shows them. */
  const expected = (r: { rows: Cell[]; groupBy: string[] }) =>
    Object.fromEntries(r.rows.filter((c) => c.value !== 0).map((c) => [r.groupBy.map((d) => c.key[d]).join('|'), c.suppressed ? '' : String(c.value)]));

  it('loads in Spanish, switches to English, a filter click redraws the chart with the API figures, and the CSV download agrees', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 1600 } });
    const page = await context.newPage();
    const loads = async (n: number) => page.waitForSelector(`body[data-loaded="true"][data-loads="${n}"]`, { timeout: 30_000 });
    await page.goto(`${t.baseUrl}/dashboard`);
    await loads(1);
    expect(await page.textContent('h1')).toBe('Víctimas de los delitos de la Ley General en materia de trata de personas');
    expect(await page.getAttribute('html', 'lang')).toBe('es');

    const chart = async (table: string) =>
      Object.fromEntries(
        (await page.$$eval(`#${table} [data-key]`, (els: Array<{ getAttribute(name: string): string | null }>) => els.map((e) => [e.getAttribute('data-key'), e.getAttribute('data-value')]))) as Array<[string, string]>,
      );
    // Unfiltered: victims by offense, sex × age group and files by state equal the open-data API.
    expect(await chart('t-offense')).toEqual(expected(await api('/v1/open-data/victims?groupBy=offense')));
    expect(await chart('t-sex')).toEqual(expected(await api('/v1/open-data/victims?groupBy=sex,ageGroup')));
    expect(await chart('t-state')).toEqual(expected(await api('/v1/open-data/cases?groupBy=state')));
    // The offense × year grid also shows the zero cells between offenses and years with victims.
    const grid = Object.fromEntries(Object.entries(await chart('t-year')).filter(([, v]) => v !== '0'));
    expect(grid).toEqual(expected(await api('/v1/open-data/victims?groupBy=offense,year')));
    const funnel = (await request(t.baseUrl).get('/v1/open-data/referral-funnel')).body as { stages: Array<{ stage: string; value: number | null }> };
    expect(await chart('t-funnel')).toEqual(Object.fromEntries(funnel.stages.map((s) => [s.stage, s.value === null ? '' : String(s.value)])));
    expect((await chart('t-funnel')).sent).toBe('7');
    if (process.env.DASHBOARD_SCREENSHOT) await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT, fullPage: true });

    // Click a filter: sex = female and the year; the charts follow the API with the same filters.
    await page.selectOption('#sex', 'female');
    await loads(2);
    await page.selectOption('#year', String(year));
    await loads(3);
    const filtered = await api(`/v1/open-data/victims?groupBy=offense&sex=female&from=${year}-01-01&to=${year}-12-31`);
    const shown = await chart('t-offense');
    expect(shown).toEqual(expected(filtered));
    expect(Number(await page.getAttribute('#t-offense [data-total]', 'data-total'))).toBe(filtered.total.value);
    expect(filtered.total.value).toBe(24); // the women identified that year, each once

    // The CSV link downloads the same figures as the chart.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv-offense')]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('offense,offense_label,value,suppressed,unit');
    const fromCsv = Object.fromEntries(
      csv
        .slice(1)
        .map((l) => l.split(','))
        .filter((f) => f[0] !== 'TOTAL' && f[f.length - 3] !== '0')
        .map((f) => [f[0], f[f.length - 3]]),
    );
    expect(fromCsv).toEqual(shown);
    expect(csv[csv.length - 1]).toMatch(new RegExp(`^TOTAL,.*,${filtered.total.value},false,victim$`));

    // English.
    await page.selectOption('#lang', 'en');
    await loads(4);
    expect(await page.textContent('h1')).toBe('Victims of General Law trafficking offenses');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await context.close();
  });
});
