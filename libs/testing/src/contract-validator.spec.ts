import { ContractValidator } from './contract-validator';

const doc = {
  openapi: '3.0.0',
  paths: {
    '/v1/things/{id}': {
      get: {
        responses: {
          '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          '304': { description: 'not modified' },
          default: { content: { 'application/problem+json': { schema: { type: 'object', properties: { status: { type: 'number' } } } } } },
        },
      },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        required: ['id', 'note'],
        properties: { id: { type: 'string' }, note: { type: 'string', nullable: true }, meta: { type: 'object', additionalProperties: true } },
      },
    },
  },
};

describe('ContractValidator', () => {
  const v = new ContractValidator(doc);
  const check = (status: number, type: string | null, body: unknown) => v.violations('GET', '/v1/things/{id}', status, type, body);

  it('accepts a conforming body, nullable fields and open maps', () => {
    expect(check(200, 'application/json; charset=utf-8', { id: 'a', note: null, meta: { anything: 1 } })).toEqual([]);
  });
  it('rejects an undocumented field, a missing field and a wrong type', () => {
    expect(check(200, 'application/json', { id: 'a', note: 'x', secret: 'y' }).join()).toMatch(/additional properties \(secret\)/);
    expect(check(200, 'application/json', { id: 'a' }).join()).toMatch(/must have required property 'note'/);
    expect(check(200, 'application/json', { id: 1, note: 'x' }).join()).toMatch(/body\/id must be string/);
  });
  it('rejects an undocumented status and content type; errors fall under default', () => {
    expect(check(201, 'application/json', {}).join()).toMatch(/status 201 is not documented/);
    expect(check(200, 'text/html', '<p>').join()).toMatch(/content type text\/html not documented/);
    expect(check(404, 'application/problem+json', { status: 404 })).toEqual([]);
    expect(check(404, 'application/json', { status: 404 }).join()).toMatch(/not documented/);
    expect(check(304, null, undefined)).toEqual([]);
  });
  it('rejects an operation missing from the contract', () => {
    expect(v.violations('DELETE', '/v1/things/{id}', 204, null, undefined).join()).toMatch(/not in the contract/);
  });
});
