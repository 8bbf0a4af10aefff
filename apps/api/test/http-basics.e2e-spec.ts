import request from 'supertest';

import { startTestApp, validatedClient, type TestApp } from '@app/testing';

describe('HTTP basics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT: '64kb' });
  });
  afterAll(() => t.close());

  const expectProblem = (res: request.Response, status: number, slug: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, type: expect.stringMatching(new RegExp(`/problems/${slug}$`)), title: expect.any(String) });
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
  };

  it('GET /health answers 200 with the database up, through the typed client', async () => {
    const api = validatedClient(t.baseUrl);
    const { data, response } = await api.GET('/health');
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('an unknown route is a 404 problem', async () => {
    expectProblem(await request(t.baseUrl).get('/v1/no-such-thing'), 404, 'route-not-found');
  });

  it('a malformed JSON body is a 400 problem', async () => {
    const res = await request(t.baseUrl).post('/v1/no-such-thing').set('content-type', 'application/json').send('{"a": ');
    expectProblem(res, 400, 'malformed-json');
  });

  it('an oversize body is a 413 problem', async () => {
    const res = await request(t.baseUrl)
      .post('/health')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(70 * 1024) }));
    expectProblem(res, 413, 'payload-too-large');
  });

  it('echoes a caller-supplied request id and generates one otherwise', async () => {
    const given = await request(t.baseUrl).get('/health').set('x-request-id', 'trace-abc.123');
    expect(given.headers['x-request-id']).toBe('trace-abc.123');
    const generated = await request(t.baseUrl).get('/health').set('x-request-id', 'bad id with spaces');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.logs.some((l) => l.includes('"reqId":"trace-abc.123"'))).toBe(true);
  });

  it('serves Swagger UI at /docs and the contract at /openapi.json', async () => {
    const docs = await request(t.baseUrl).get('/docs').redirects(1);
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
    const contract = await request(t.baseUrl).get('/openapi.json');
    expect(contract.status).toBe(200);
    expect(contract.body.openapi).toMatch(/^3\./);
    expect(contract.body.paths['/health']).toBeDefined();
  });

  it('exposes Prometheus metrics with request durations by route template and pool use', async () => {
    await request(t.baseUrl).get('/health');
    const res = await request(t.baseUrl).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/puente_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/);
    expect(res.text).toMatch(/puente_db_pool_connections\{state="total"\} \d+/);
  });

  it('writes JSON log lines without query strings', async () => {
    await request(t.baseUrl).get('/health?curp=ABCD010101HDFXXX01');
    const lines = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(0);
    expect(t.logs.join('\n')).not.toContain('ABCD010101HDFXXX01');
  });
});
