import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema';

export type { paths, components, operations } from './schema';
export type PuenteClient = Client<paths>;

/**
 * Typed client for the Puente API, generated from openapi/openapi.json by openapi-typescript.
 * `token` is an access token from POST /oauth/token.
 */
export function createPuenteClient(baseUrl: string, token?: string, headers: Record<string, string> = {}): PuenteClient {
  return createClient<paths>({
    baseUrl,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}

/** The CLK encoder of privacy-preserving matching (docs/matching.md § CLK), for agencies that may not share names. */
export { ClkEncoder, clkKeyCheck, CURRENT_CLK_SCHEMA, CLK_SCHEMA_IDS } from '../../clk/src/clk';
