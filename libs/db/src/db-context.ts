import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';

/** Branded agency id: repository methods take one, so an unscoped query does not compile. */
export type AgencyId = string & { readonly __brand: 'AgencyId' };
export const asAgencyId = (id: string): AgencyId => id as AgencyId;

/** The database role requests run as: row-level security applies to it (see migrations/…-auth.ts). */
export const APP_ROLE = 'puente_app';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ScopedTx {
  em: EntityManager;
  agencyId: AgencyId;
}

/**
 * Transactions scoped to the acting agency. `withAgency` switches to the unprivileged application role
 * and sets `app.agency_id` for the transaction only, so PostgreSQL row-level security is a second wall
 * behind the agency filters every repository applies. `system` is for work that spans agencies by
 * design (migrations of data, matching, statistics) and is never reachable with a caller's input alone.
 */
@Injectable()
export class DbContext {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {
    // Every pooled connection gets a permanent no-op 'error' listener. A backend terminated while its
    // connection is checked out (PostgreSQL restart, failover, pg_terminate_backend) makes the client
    // emit 'error' more than once; TypeORM's query runner removes its own listener at the first one and
    // pg-pool has none on checked-out clients, so the second would be an unhandled 'error' event that
    // kills the process. The errors still reach the query that was running (→ 503) and the pool still
    // discards the broken client.
    const pool = (dataSource.driver as unknown as { master?: Pool }).master;
    pool?.on('connect', (client) => client.on('error', () => undefined));
  }

  async withAgency<T>(agencyId: AgencyId, fn: (tx: ScopedTx) => Promise<T>, opts: { readOnly?: boolean } = {}): Promise<T> {
    if (!UUID.test(agencyId)) throw new Error('withAgency: agency id is not a UUID');
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      // One round trip: simple-query protocol allows several statements; the UUID was validated above.
      await runner.query(
        `BEGIN${opts.readOnly ? ' READ ONLY' : ''}; SET LOCAL ROLE ${APP_ROLE}; SELECT set_config('app.agency_id', '${agencyId}', true)`,
      );
      // TypeORM tracks the transaction itself; tell it one is open.
      (runner as unknown as { isTransactionActive: boolean }).isTransactionActive = true;
      try {
        const result = await fn({ em: runner.manager, agencyId });
        await runner.query('COMMIT');
        return result;
      } catch (err) {
        await runner.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        (runner as unknown as { isTransactionActive: boolean }).isTransactionActive = false;
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * A read-only query under the same agency scope as `withAgency`, in ONE round trip: the transaction
   * start, the role switch, the agency setting, the query and the commit go as one simple-protocol
   * message, with the parameters inlined by the driver's own literal escaping. For hot single reads
   * (GET one record); everything else uses `withAgency`. Parameters: strings, numbers, booleans or null.
   */
  async readScoped<R>(agencyId: AgencyId, sql: string, params: Array<string | number | boolean | null>): Promise<R[]> {
    if (!UUID.test(agencyId)) throw new Error('readScoped: agency id is not a UUID');
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    // A checked-out client has no pool listener: a backend terminated between two messages (PostgreSQL
    // restart, failover) would emit an unhandled 'error' and crash the process. The query's own error is
    // what the caller gets; the broken client is destroyed on release.
    const onError = (): void => undefined;
    client.on('error', onError);
    const literal = (v: string | number | boolean | null): string =>
      v === null ? 'NULL' : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'NULL') : typeof v === 'boolean' ? String(v) : client.escapeLiteral(v);
    const text = sql.replace(/\$(\d+)/g, (_m, n: string) => literal(params[Number(n) - 1]));
    try {
      const results = (await client.query(
        `BEGIN READ ONLY; SET LOCAL ROLE ${APP_ROLE}; SELECT set_config('app.agency_id', '${agencyId}', true); ${text}; COMMIT`,
      )) as unknown as Array<{ rows: R[] }>;
      client.removeListener('error', onError);
      client.release();
      return results[3].rows;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      // Destroyed, not returned to the pool; the no-op listener stays for late socket errors.
      client.release(err instanceof Error ? err : true);
      throw err;
    }
  }

  /** A transaction with the connection's own privileges (no agency scope). */
  system<T>(fn: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(fn);
  }
}
