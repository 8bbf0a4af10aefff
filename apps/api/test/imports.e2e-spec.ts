import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import request from 'supertest';
import { IMPORT_QUEUE } from '@app/imports';
import { JobsService } from '@app/jobs';
import { RecordsService } from '@app/records';
import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';

const HEADER = 'Folio,Nombre,Sexo,Fecha nac,Fecha hecho,Nacionalidad,Estado,Grupo,Tipo,Delitos';
const PROFILE = {
  kind: 'victims',
  columns: {
    Folio: 'localId',
    Nombre: 'names.firstName',
    Sexo: 'sex',
    'Fecha nac': 'birthDate',
    'Fecha hecho': 'eventDate',
    Nacionalidad: 'nationality',
    Estado: 'stateOfOrigin',
    Grupo: 'vulnerableGroups',
    Tipo: 'victimType',
    Delitos: 'offenses',
  },
  values: { sex: { M: 'female', H: 'male' } },
};
const row = (id: string, over: Partial<Record<'name' | 'sex' | 'birth' | 'event' | 'nat' | 'state' | 'group' | 'type' | 'offenses', string>> = {}) =>
  [
    id,
    over.name ?? 'María',
    over.sex ?? 'M',
    over.birth ?? '14/05/2007',
    over.event ?? '01/03/2024',
    over.nat ?? 'MEX',
    over.state ?? '09',
    over.group ?? 'indigenous',
    over.type ?? 'direct',
    over.offenses ?? 'LGT-13',
  ].join(',');
const MIXED = [
  HEADER,
  row('V-1'),
  row('V-2', { sex: 'Z' }),
  row('V-3', { birth: '31/02/2007' }),
  row('V-4', { state: '9', nat: 'MEX|GTM', sex: 'H' }),
  row('V-5', { offenses: 'XYZ' }),
  row('V-1', { name: 'Otra' }),
].join('\r\n');

describe('bulk imports and exports', () => {
  let t: TestApp;
  let a: TestPrincipal; // imports:write + victims read/write + pii:read
  let aNoPii: TestPrincipal; // victims:read only
  let aNoImport: TestPrincipal; // victims:write but not imports:write
  let b: TestPrincipal; // another agency
  let jobs: JobsService;

  const upload = (p: TestPrincipal, file: Buffer | string, name: string, fields: Record<string, string>) => {
    const req = request(t.baseUrl).post('/v1/imports').auth(p.token, { type: 'bearer' });
    for (const [k, v] of Object.entries(fields)) void req.field(k, v);
    return req.attach('file', Buffer.isBuffer(file) ? file : Buffer.from(file, 'utf8'), name);
  };
  /** Uploads, waits for the job, answers the finished job. */
  const importFile = async (p: TestPrincipal, file: Buffer | string, name: string, fields: Record<string, string>) => {
    const res = await upload(p, file, name, fields);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'queued', kind: fields.kind });
    await jobs.drain(IMPORT_QUEUE, 20_000).catch(async (e) => {
      const j = await t.db.pool.query(`SELECT state, retry_count, output FROM pgboss.job WHERE name = $1`, [IMPORT_QUEUE]);
      const i = await t.db.pool.query(`SELECT status, failure, attempts, rows_read FROM import_jobs`);
      console.log(JSON.stringify(j.rows), JSON.stringify(i.rows), t.logs.filter((l) => /error|Import/i.test(l)).slice(-5).join('\n'));
      throw e;
    });
    const got = await p.api.GET('/v1/imports/{id}', { params: { path: { id: res.body.id as string } } });
    expect(got.response.status).toBe(200);
    return got.data!;
  };
  const count = async (agencyId: string, table = 'records') =>
    Number((await t.db.pool.query(`SELECT count(*) FROM ${table} WHERE agency_id = $1 AND kind = 'victims'`, [agencyId])).rows[0].count);

  beforeAll(async () => {
    t = await startTestApp();
    jobs = t.app.get(JobsService);
    a = await createPrincipal(t, { scopes: ['imports:write', 'victims:read', 'victims:write', 'pii:read'] });
    aNoPii = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read'] });
    aNoImport = await createPrincipal(t, { code: a.agencyCode, scopes: ['victims:read', 'victims:write'] });
    b = await createPrincipal(t, { scopes: ['imports:write', 'victims:read', 'victims:write', 'pii:read'] });
  });
  afterAll(() => t.close());

  it('saves a mapping profile per agency (201, then 200), reads it back; another agency gets 404', async () => {
    const put = await a.api.PUT('/v1/imports/profiles/{name}', { params: { path: { name: 'sigi' } }, body: PROFILE });
    expect(put.response.status).toBe(201);
    expect(put.data).toMatchObject({ name: 'sigi', kind: 'victims', columns: PROFILE.columns });
    const again = await a.api.PUT('/v1/imports/profiles/{name}', { params: { path: { name: 'sigi' } }, body: PROFILE });
    expect(again.response.status).toBe(200);
    const got = await a.api.GET('/v1/imports/profiles/{name}', { params: { path: { name: 'sigi' } } });
    expect(got.data?.values).toEqual(PROFILE.values);
    const list = await a.api.GET('/v1/imports/profiles');
    expect(list.data?.items.map((p) => p.name)).toEqual(['sigi']);
    const other = await b.api.GET('/v1/imports/profiles/{name}', { params: { path: { name: 'sigi' } } });
    expect(other.response.status).toBe(404);
  });

  it('rejects a profile whose field paths are not fields of the kind (422 with pointer)', async () => {
    const res = await request(t.baseUrl)
      .put('/v1/imports/profiles/bad')
      .auth(a.token, { type: 'bearer' })
      .send({ kind: 'victims', columns: { Folio: 'localId', Color: 'favouriteColour' } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '#/columns/Color', rule: 'field-path' })]);
    const unknownKind = await request(t.baseUrl).put('/v1/imports/profiles/bad').auth(a.token, { type: 'bearer' }).send({ kind: 'spaceships', columns: {} });
    expect(unknownKind.status).toBe(404);
  });

  it('imports every good row of a mixed file and reports each bad one with row, column, value and reason', async () => {
    const job = await importFile(a, MIXED, 'victimas.csv', { kind: 'victims', profile: 'sigi' });
    expect(job).toMatchObject({ status: 'succeeded', rowsRead: 6, accepted: 2, rejected: 4, created: 2, progress: 100, profileName: 'sigi' });
    const stored = await t.db.pool.query(`SELECT local_id, data FROM records WHERE agency_id = $1 AND kind = 'victims' ORDER BY local_id`, [a.agencyId]);
    expect(stored.rows.map((r) => r.local_id)).toEqual(['V-1', 'V-4']);
    expect(stored.rows[1].data).toMatchObject({ sex: 'male', stateOfOrigin: '09', nationality: ['MEX', 'GTM'], birthDate: '2007-05-14', eventDate: '2024-03-01' });

    const errors = await a.api.GET('/v1/imports/{id}/errors', { params: { path: { id: job.id } } });
    const items = errors.data!.items;
    expect(items.map((e) => [e.rowNumber, e.localId, e.column, e.value])).toEqual([
      [3, 'V-2', 'Sexo', 'Z'],
      [4, 'V-3', 'Fecha nac', '31/02/2007'],
      [6, 'V-5', 'Delitos', 'XYZ'],
      [7, 'V-1', 'Folio', 'V-1'],
    ]);
    expect(items[0].reason).toMatch(/sex must be a code of catalog sex/);
    expect(items[1].reason).toMatch(/not a calendar date/);
    expect(items[3]).toMatchObject({ rule: 'unique-in-file', reason: 'localId V-1 is also at row 2' });

    const csv = await request(t.baseUrl).get(`/v1/imports/${job.id}/errors?format=csv`).auth(a.token, { type: 'bearer' });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('row,localId,column,value,reason,rule,pointer');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^3,V-2,Sexo,Z,/);
  });

  it('re-importing the same file leaves every row unchanged (no new version); a corrected file writes only the fixed rows', async () => {
    const versionsBefore = await count(a.agencyId, 'record_versions');
    const same = await importFile(a, MIXED, 'victimas.csv', { kind: 'victims', profile: 'sigi' });
    expect(same).toMatchObject({ status: 'succeeded', accepted: 2, rejected: 4, created: 0, updated: 0, unchanged: 2 });
    expect(await count(a.agencyId, 'record_versions')).toBe(versionsBefore);

    const corrected = [HEADER, row('V-1'), row('V-2'), row('V-3', { birth: '28/02/2007' }), row('V-4', { state: '9', nat: 'MEX|GTM', sex: 'H' }), row('V-5', { offenses: 'LGT-10' })].join('\n');
    const fixed = await importFile(a, corrected, 'victimas-corregido.csv', { kind: 'victims', profile: 'sigi' });
    expect(fixed).toMatchObject({ status: 'succeeded', accepted: 5, rejected: 0, created: 3, updated: 0, unchanged: 2 });
    expect(await count(a.agencyId)).toBe(5);
    expect(await count(a.agencyId, 'record_versions')).toBe(versionsBefore + 3);
  });

  it('a dry run validates and reports without writing anything', async () => {
    const before = [await count(a.agencyId), await count(a.agencyId, 'record_versions')];
    const file = [HEADER, row('D-1'), row('D-2', { sex: 'Q' }), row('V-1', { name: 'Cambio' })].join('\n');
    const job = await importFile(a, file, 'prueba.csv', { kind: 'victims', profile: 'sigi', dryRun: 'true' });
    expect(job).toMatchObject({ status: 'succeeded', dryRun: true, rowsRead: 3, accepted: 2, rejected: 1, created: 0, updated: 0 });
    expect([await count(a.agencyId), await count(a.agencyId, 'record_versions')]).toEqual(before);
    const errors = await a.api.GET('/v1/imports/{id}/errors', { params: { path: { id: job.id } } });
    expect(errors.data!.items.map((e) => [e.rowNumber, e.column])).toEqual([[3, 'Sexo']]);
  });

  it('imports a Windows-1252 (Latin-1) file with accents, using the template headers and an inline profile', async () => {
    const text = [
      'ID local;Nombre;Apellido paterno;Sexo;Fecha de nacimiento;Nacionalidad;Entidad de origen;Grupos en situación de vulnerabilidad;Tipo de víctima;Delitos',
      'L-1;José Ángel;Núñez;Hombre;02/11/1999;MEX;Michoacán;SI;direct;LGT-10',
      'L-2;Ñandú;Pérez;Mujer;03/12/2001;Marte;15;SI;direct;LGT-10',
      'L-3;Iñaki;Muñoz;Mujer;04/01/2002;México;Jalisco;SI;direct;LGT-10',
    ].join('\r\n');
    const file = iconv.encode(text, 'win1252');
    expect(file.includes(Buffer.from('é', 'utf8'))).toBe(false); // really single-byte
    const job = await importFile(a, file, 'latin1.csv', { kind: 'victims', profile: JSON.stringify({ columns: {}, encoding: 'windows-1252', values: { stateOfOrigin: { Michoacán: '16' } } }) });
    const errors = await a.api.GET('/v1/imports/{id}/errors', { params: { path: { id: job.id } } });
    expect(errors.data!.items).toEqual([expect.objectContaining({ rowNumber: 3, column: 'Nacionalidad', value: 'Marte' })]);
    expect(job).toMatchObject({ status: 'succeeded', accepted: 2, rejected: 1 });
    const got = await a.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'L-1' } } });
    expect(got.data!.pii).toMatchObject({ names: { firstName: 'José Ángel', paternalSurname: 'Núñez' } });
    expect(got.data!.data).toMatchObject({ sex: 'male', stateOfOrigin: '16', birthDate: '1999-11-02', vulnerableGroups: ['SI'] });
    const l3 = await a.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'L-3' } } });
    expect(l3.data!.data).toMatchObject({ sex: 'female', nationality: ['MEX'], stateOfOrigin: '14' }); // Spanish labels resolve to codes
  });

  it('the XLSX template has Spanish and English headers, an example row and catalog drop-downs; a filled template imports cleanly', async () => {
    const res = await request(t.baseUrl)
      .get('/v1/imports/templates/victims.xlsx')
      .auth(a.token, { type: 'bearer' })
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as never);
    const ws = wb.getWorksheet('Datos')!;
    const lists = wb.getWorksheet('Catalogos')!;
    expect(lists.state).toBe('hidden');
    const es = (ws.getRow(1).values as string[]).slice(1);
    const en = (ws.getRow(2).values as string[]).slice(1);
    expect(es.slice(0, 2)).toEqual(['ID local', 'Nombre']);
    expect(en.slice(0, 2)).toEqual(['localId', 'names.firstName']);
    expect(ws.getRow(3).getCell(1).value).toBe('EJEMPLO');
    const col = (path: string) => en.indexOf(path) + 1;
    const letter = (n: number) => ws.getColumn(n).letter;
    // Drop-downs: list validations on the data rows, pointing at the hidden sheet's code lists.
    const validations = (ws as unknown as { dataValidations: { model: Record<string, { type: string; formulae: string[] }> } }).dataValidations.model;
    const sexValidation = Object.entries(validations).find(([range]) => range.startsWith(`${letter(col('sex'))}3`) || range.split(':')[0] === `${letter(col('sex'))}3`);
    expect(sexValidation?.[1]).toMatchObject({ type: 'list' });
    const ref = sexValidation![1].formulae[0];
    expect(ref).toMatch(/^Catalogos!\$[A-Z]+\$2:\$[A-Z]+\$\d+$/);
    const [, listCol, last] = /\$([A-Z]+)\$2:\$[A-Z]+\$(\d+)/.exec(ref)!;
    const codes = Array.from({ length: Number(last) - 1 }, (_, i) => lists.getCell(`${listCol}${i + 2}`).value);
    expect(codes).toEqual(expect.arrayContaining(['female', 'male', 'SI', 'NA', 'NR', 'RESERVED']));
    for (const path of ['stateOfOrigin', 'nationality', 'offenses', 'victimType']) {
      expect(Object.keys(validations).some((range) => range.split(':')[0] === `${letter(col(path))}3`)).toBe(true);
    }

    // Fill two rows below the example, as a data officer would (Excel keeps dates as dates).
    const fill = (r: number, values: Record<string, unknown>) => {
      for (const [path, v] of Object.entries(values)) ws.getRow(r).getCell(col(path)).value = v as ExcelJS.CellValue;
    };
    const base = { sex: 'female', nationality: 'MEX', stateOfOrigin: '09', vulnerableGroups: 'indigenous', victimType: 'direct', offenses: 'LGT-13' };
    fill(4, { ...base, localId: 'X-1', 'names.firstName': 'Itzel', birthDate: new Date(Date.UTC(2006, 0, 31)) });
    fill(5, { ...base, localId: 'X-2', sex: 'male', stateOfOrigin: 15, offenses: 'LGT-10|LGT-13', ageAtEvent: 16 });
    const filled = Buffer.from(await wb.xlsx.writeBuffer());
    const job = await importFile(a, filled, 'plantilla.xlsx', { kind: 'victims' });
    expect((await a.api.GET('/v1/imports/{id}/errors', { params: { path: { id: job.id } } })).data!.items).toEqual([]);
    expect(job).toMatchObject({ status: 'succeeded', format: 'xlsx', rowsRead: 3, skipped: 1, accepted: 2, rejected: 0, ignoredColumns: [] });
    const x2 = await a.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'X-2' } } });
    expect(x2.data!.data).toMatchObject({ stateOfOrigin: '15', offenses: ['LGT-10', 'LGT-13'], ageAtEvent: 16 });
    const x1 = await a.api.GET('/v1/victims/{localId}', { params: { path: { localId: 'X-1' } } });
    expect(x1.data!.data).toMatchObject({ birthDate: '2006-01-31' });
  });

  it('the CSV template has both header rows and an example row, and imports as is (the example is skipped)', async () => {
    const res = await request(t.baseUrl).get('/v1/imports/templates/victims.csv').auth(a.token, { type: 'bearer' });
    expect(res.status).toBe(200);
    const lines = res.text.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1].split(',')[0]).toBe('localId');
    const job = await importFile(a, res.text, 'plantilla.csv', { kind: 'victims' });
    expect(job).toMatchObject({ status: 'succeeded', rowsRead: 1, skipped: 1, accepted: 0, rejected: 0 });
    const missing = await request(t.baseUrl).get('/v1/imports/templates/spaceships.csv').auth(a.token, { type: 'bearer' });
    expect(missing.status).toBe(404);
  });

  it('exports the agency own records as CSV (template columns) and NDJSON; personal columns only with pii:read', async () => {
    const total = await count(a.agencyId);
    const csv = await request(t.baseUrl).get('/v1/exports/victims?format=csv').auth(a.token, { type: 'bearer' });
    expect(csv.status).toBe(200);
    const lines = csv.text.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines).toHaveLength(2 + total);
    expect(lines[1].split(',')).toContain('names.firstName');
    expect(csv.text).toContain('José Ángel');

    const masked = await request(t.baseUrl).get('/v1/exports/victims?format=csv').auth(aNoPii.token, { type: 'bearer' });
    expect(masked.status).toBe(200);
    expect(masked.text).not.toContain('José');
    expect(masked.text.split('\r\n')[1].split(',')).not.toContain('names.firstName');

    const nd = await request(t.baseUrl).get('/v1/exports/victims').auth(a.token, { type: 'bearer' });
    expect(nd.headers['content-type']).toMatch(/ndjson/);
    const docs = nd.text.trim().split('\n').map((l) => JSON.parse(l) as { localId: string; names?: unknown });
    expect(docs).toHaveLength(total);
    expect(docs.find((d) => d.localId === 'L-1')?.names).toMatchObject({ firstName: 'José Ángel' });
    const since = await request(t.baseUrl).get('/v1/exports/victims?updatedSince=2999-01-01').auth(a.token, { type: 'bearer' });
    expect(since.text).toBe('');

    // The CSV export re-imports as is: nothing changes.
    const back = await importFile(a, csv.text, 'export.csv', { kind: 'victims' });
    expect(back).toMatchObject({ status: 'succeeded', accepted: total, rejected: 0, unchanged: total });
  });

  it('isolates agencies: another agency sees none of the imports, errors or records', async () => {
    const { rows } = await t.db.pool.query(`SELECT id FROM import_jobs WHERE agency_id = $1 LIMIT 1`, [a.agencyId]);
    const id = rows[0].id as string;
    expect((await b.api.GET('/v1/imports/{id}', { params: { path: { id } } })).response.status).toBe(404);
    expect((await b.api.GET('/v1/imports/{id}/errors', { params: { path: { id } } })).response.status).toBe(404);
    const csv = await request(t.baseUrl).get(`/v1/imports/${id}/errors?format=csv`).auth(b.token, { type: 'bearer' });
    expect(csv.status).toBe(404);
    const nd = await request(t.baseUrl).get('/v1/exports/victims').auth(b.token, { type: 'bearer' });
    expect([nd.status, nd.text]).toEqual([200, '']);
    // b imports the same localIds: its own records, a's untouched.
    const job = await importFile(b, MIXED, 'victimas.csv', { kind: 'victims', profile: JSON.stringify(PROFILE) });
    expect(job).toMatchObject({ accepted: 2, created: 2 });
    expect(await count(b.agencyId)).toBe(2);
  });

  it('answers 401 without a token, 403 without imports:write or the kind scope, 422 for bad fields, 415 for a non-multipart body', async () => {
    expect((await request(t.baseUrl).post('/v1/imports').attach('file', Buffer.from(MIXED), 'x.csv')).status).toBe(401);
    expect((await upload(aNoImport, MIXED, 'x.csv', { kind: 'victims' })).status).toBe(403);
    expect((await request(t.baseUrl).get('/v1/exports/victims').auth(aNoImport.token, { type: 'bearer' })).status).toBe(200);
    const noRead = await createPrincipal(t, { code: a.agencyCode, scopes: ['imports:write', 'cases:read'] });
    expect((await request(t.baseUrl).get('/v1/exports/victims').auth(noRead.token, { type: 'bearer' })).status).toBe(403);
    expect((await upload(noRead, MIXED, 'x.csv', { kind: 'victims' })).status).toBe(403); // imports:write but not victims:write
    const noKind = await upload(a, MIXED, 'x.csv', {});
    expect(noKind.status).toBe(422);
    expect(noKind.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: '#/kind' })]));
    const badDry = await upload(a, MIXED, 'x.csv', { kind: 'victims', dryRun: 'maybe' });
    expect(badDry.body.errors).toEqual([expect.objectContaining({ pointer: '#/dryRun' })]);
    const badType = await upload(a, MIXED, 'x.pdf', { kind: 'victims' });
    expect(badType.body.errors).toEqual([expect.objectContaining({ pointer: '#/file' })]);
    const noProfile = await upload(a, MIXED, 'x.csv', { kind: 'victims', profile: 'nope' });
    expect([noProfile.status, noProfile.body.errors?.[0]?.pointer]).toEqual([422, '#/profile']);
    const json = await request(t.baseUrl).post('/v1/imports').auth(a.token, { type: 'bearer' }).send({ kind: 'victims' });
    expect(json.status).toBe(415);
    const badId = await request(t.baseUrl).get('/v1/imports/not-a-uuid').auth(a.token, { type: 'bearer' });
    expect(badId.status).toBe(422);
  });

  it('a file without a localId column fails the job with a file-level reason', async () => {
    const job = await importFile(a, 'Sexo,Delitos\r\nfemale,LGT-10\r\n', 'sin-id.csv', { kind: 'victims' });
    expect(job.status).toBe('failed');
    expect(job.failure).toMatch(/localId/);
  });

  it('an attempt that crashes mid-import is retried and resumes from its checkpoint: every row exactly once', async () => {
    const n = 2500;
    const lines = [HEADER];
    for (let i = 1; i <= n; i++) lines.push(row(`R-${String(i).padStart(5, '0')}`));
    const records = t.app.get(RecordsService);
    const real = records.batch.bind(records);
    let calls = 0;
    const spy = jest.spyOn(records, 'batch').mockImplementation(async (...args) => {
      calls++;
      if (calls === 2) throw new Error('simulated crash after the first chunk');
      return real(...args);
    });
    try {
      const job = await importFile(a, lines.join('\n'), 'grande.csv', { kind: 'victims', profile: 'sigi' });
      expect(job).toMatchObject({ status: 'succeeded', attempts: 2, rowsRead: n, accepted: n, rejected: 0, created: n });
    } finally {
      spy.mockRestore();
    }
    const { rows } = await t.db.pool.query(
      `SELECT count(*)::int AS records, count(DISTINCT local_id)::int AS ids, max(version) AS max_version FROM records WHERE agency_id = $1 AND local_id LIKE 'R-%'`,
      [a.agencyId],
    );
    expect(rows[0]).toEqual({ records: n, ids: n, max_version: 1 });
    const versions = await t.db.pool.query(`SELECT count(*)::int AS n FROM record_versions WHERE agency_id = $1 AND local_id LIKE 'R-%'`, [a.agencyId]);
    expect(versions.rows[0].n).toBe(n);
  }, 90_000);
});
