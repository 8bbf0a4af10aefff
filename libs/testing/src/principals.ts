import request from 'supertest';
import { AgenciesService, ApiClientsService, type AgencyKind, type Scope } from '@app/auth';
import { createPuenteClient, type PuenteClient } from '@app/client';
import type { TestApp } from './test-app';
import { contractMiddleware } from './contract-validator';

export interface TestPrincipal {
  agencyId: string;
  agencyCode: string;
  clientId: string;
  clientSecret: string;
  token: string;
  /** Typed client authenticated as this principal. */
  api: PuenteClient;
}

let seq = 0;

/** A typed client whose every response is checked against the contract (see ContractValidator). */
export function validatedClient(baseUrl: string, token?: string, headers: Record<string, string> = {}): PuenteClient {
  const api = createPuenteClient(baseUrl, token, headers);
  api.use(contractMiddleware);
  return api;
}

/**
 * Registers an agency and a client through the real services, then gets a token from POST /oauth/token,
 * exactly as an agency's integration would.
 */
export async function createPrincipal(
  t: TestApp,
  opts: { code?: string; kind?: AgencyKind; jurisdiction?: string; scopes: Scope[]; tokenScopes?: Scope[]; purpose?: string | null },
): Promise<TestPrincipal> {
  const code = opts.code ?? `agency-${process.env.JEST_WORKER_ID ?? 0}-${++seq}-${Math.random().toString(36).slice(2, 6)}`;
  const agencies = t.app.get(AgenciesService);
  const existing = await agencies.findActiveByCode(code);
  const agency = existing ?? (await agencies.create({ code, name: `Test agency ${code}`, kind: opts.kind ?? 'prosecutor', jurisdiction: opts.jurisdiction ?? '09' }, 'test'));
  const client = await t.app.get(ApiClientsService).create({ agency: code, name: 'test client', scopes: opts.scopes }, 'test');
  const token = await tokenFor(t, client.clientId, client.clientSecret, opts.tokenScopes);
  // Personal data needs a declared purpose (X-Purpose); principals holding pii:read declare
  // `investigation` unless told otherwise (`purpose: null` declares none).
  const purpose = opts.purpose === undefined ? (opts.scopes.includes('pii:read') ? 'investigation' : null) : opts.purpose;
  const headers: Record<string, string> = purpose ? { 'x-purpose': purpose } : {};
  return { agencyId: agency.id, agencyCode: code, clientId: client.clientId, clientSecret: client.clientSecret, token, api: validatedClient(t.baseUrl, token, headers) };
}

export async function tokenFor(t: TestApp, clientId: string, clientSecret: string, scopes?: Scope[]): Promise<string> {
  const res = await request(t.baseUrl)
    .post('/oauth/token')
    .type('form')
    .send({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, ...(scopes ? { scope: scopes.join(' ') } : {}) });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { access_token: string }).access_token;
}
