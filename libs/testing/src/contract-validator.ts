import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Middleware } from 'openapi-fetch';

type Doc = { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>> };

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Checks responses against the committed contract (openapi/openapi.json): the status must be documented
 * (or fall under `default` for errors), the content type must be one the operation declares for that
 * status, and a JSON body must match its schema. Used by every typed client the e2e tests create, so an
 * undocumented status, field or content type fails the test that produced it.
 */
export class ContractValidator {
  private readonly doc: Doc;
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(source: string | object = join(__dirname, '../../../openapi/openapi.json')) {
    this.doc = (typeof source === 'string' ? JSON.parse(readFileSync(source, 'utf8')) : structuredClone(source)) as Doc;
    closeObjects(this.doc);
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(this.doc as object, 'contract');
  }

  violations(method: string, schemaPath: string, status: number, contentType: string | null, body: unknown): string[] {
    const m = method.toLowerCase();
    const op = this.doc.paths[schemaPath]?.[m];
    if (!op) return [`${method} ${schemaPath} is not in the contract`];
    const responses = op.responses ?? {};
    const key = [String(status), `${String(status)[0]}XX`, ...(status >= 400 ? ['default'] : [])].find((k) => responses[k]);
    if (!key) return [`${method} ${schemaPath}: status ${status} is not documented (documented: ${Object.keys(responses).join(', ')})`];
    const content = responses[key].content;
    if (!content || status === 204 || status === 304) {
      return body !== undefined && body !== '' && content === undefined && status !== 304 && status !== 204 ? [`${method} ${schemaPath} ${status}: body sent but none documented`] : [];
    }
    const type = (contentType ?? '').split(';')[0].trim();
    if (!content[type]) return [`${method} ${schemaPath} ${status}: content type ${type || '(none)'} not documented (documented: ${Object.keys(content).join(', ')})`];
    if (!type.endsWith('json')) return [];
    const ref = `contract#/${pointer('paths', schemaPath, m, 'responses', key, 'content', type, 'schema')}`;
    let validate = this.cache.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.cache.set(ref, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${method} ${schemaPath} ${status}: body${e.instancePath} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
  }
}

/**
 * Test-only strictness: an object schema that lists its properties and says nothing about others is
 * treated as closed, so an undocumented response field fails the test.
 */
function closeObjects(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(closeObjects);
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if (o.properties && typeof o.properties === 'object' && o.additionalProperties === undefined) o.additionalProperties = false;
  for (const v of Object.values(o)) closeObjects(v);
}

let shared: ContractValidator | undefined;
const validator = () => (shared ??= new ContractValidator());

/** openapi-fetch middleware that throws when a response does not conform to the contract. */
export const contractMiddleware: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const text = await response.clone().text();
    let body: unknown = text;
    if (text && /json/.test(response.headers.get('content-type') ?? '')) body = JSON.parse(text);
    const problems = validator().violations(request.method, schemaPath, response.status, response.headers.get('content-type'), text ? body : undefined);
    if (problems.length) throw new Error(`Response does not conform to openapi/openapi.json:\n  ${problems.join('\n  ')}`);
    return undefined;
  },
};
