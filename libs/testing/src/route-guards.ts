import request from 'supertest';
import type { TestApp } from './test-app';

/** One route of a resource: method, URL and (for writes) a body that would otherwise be accepted (or a function making it when the test's fixtures exist). */
export type GuardedRoute = readonly [method: 'get' | 'put' | 'post' | 'delete', url: string, body?: object | (() => object)];

/**
 * The access checks every resource's tests repeat: 401 (problem+json) without a token; 403 `missing-scope`
 * with a token of the agency that lacks the resource's scopes; and, given a read-only token, 200 for reads
 * and 403 for writes. Returns the 403 response for checks of its own (e.g. the scopes it names).
 */
export async function expectScopeGuard(t: TestApp, [method, url, body]: GuardedRoute, tokens: { none: string; readOnly?: string }): Promise<request.Response> {
  const call = (token?: string) => {
    let req = request(t.baseUrl)[method](url);
    if (token) req = req.auth(token, { type: 'bearer' });
    return body ? req.send(typeof body === 'function' ? body() : body) : req;
  };
  const anonymous = await call();
  expect({ url, status: anonymous.status }).toEqual({ url, status: 401 });
  const forbidden = await call(tokens.none);
  expect({ url, status: forbidden.status, type: forbidden.body.type }).toEqual({ url, status: 403, type: expect.stringMatching(/missing-scope$/) });
  if (tokens.readOnly) {
    // A read-only token reads but cannot write.
    expect({ url, status: (await call(tokens.readOnly)).status }).toEqual({ url, status: method === 'get' ? 200 : 403 });
  }
  return forbidden;
}
