import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '@app/audit';
import type { Actor } from '@app/auth';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { DbContext } from '@app/db';
import { ProblemException } from '@app/http';
import { JobsService } from '@app/jobs';

export const LEGAL_HOLD_REASONS = ['court_order', 'ongoing_proceedings', 'prosecutor_request', 'audit', 'other'] as const;
export type LegalHoldReason = (typeof LEGAL_HOLD_REASONS)[number];

/** Other modules that keep personal data derived from a record register how to erase it. */
export type PurgeHook = (em: EntityManager, recordIds: string[]) => Promise<void>;

/**
 * Retention of personal data (issue 10). Personal data (the encrypted part of a record and of each of
 * its versions, the keyed hashes in the projections, and what other modules derive from it) is purged
 * RETENTION_WITHDRAWN_DAYS after a withdrawal, or RETENTION_DAYS after the last change — unless the
 * record is under a legal hold. Non-personal data and projections stay, so statistics are unchanged.
 * Runs daily as a job and on demand with `npm run cli -- retention:purge`.
 */
@Injectable()
export class RetentionService implements OnModuleInit {
  private readonly hooks: PurgeHook[] = [];

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly db: DbContext,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register('retention.purge', async () => {
      await this.purge();
    }, { retryLimit: 2 });
    await this.jobs.schedule('retention.purge', '17 3 * * *');
  }

  onPurge(hook: PurgeHook): void {
    this.hooks.push(hook);
  }

  async setHold(actor: Actor, kind: string, localId: string, reason: LegalHoldReason | null): Promise<{ kind: string; localId: string; legalHold: string | null }> {
    return this.db.withAgency(actor.agencyId, async ({ em, agencyId }) => {
      // TypeORM answers an UPDATE with [rows, affected].
      const [, affected]: [unknown[], number] = await em.query(
        `UPDATE records SET legal_hold = $4 WHERE agency_id = $1 AND kind = $2 AND local_id = $3 RETURNING local_id`,
        [agencyId, kind, localId, reason],
      );
      if (!affected) throw ProblemException.notFound('Record');
      await this.audit.append(em, {
        agencyId,
        actor: actor.clientId,
        action: reason ? 'retention.hold' : 'retention.release',
        resourceType: kind,
        resourceAgencyId: agencyId,
        resourceIds: [localId],
        requestId: actor.requestId,
        details: { reason },
      });
      return { kind, localId, legalHold: reason };
    });
  }

  /** Records whose personal data is due for purging (not held, not purged yet). */
  private dueSql(): string {
    // Both periods are validated integers (libs/config), so inlining them is safe.
    const parts = [`(withdrawn_at IS NOT NULL AND withdrawn_at <= now() - make_interval(days => ${this.config.retentionWithdrawnDays}))`];
    if (this.config.retentionDays > 0) parts.push(`(updated_at < now() - make_interval(days => ${this.config.retentionDays}))`);
    return `legal_hold IS NULL AND pii_purged_at IS NULL AND pii_enc IS NOT NULL AND (${parts.join(' OR ')})`;
  }

  async due(): Promise<number> {
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM records WHERE ${this.dueSql()}`);
    return n;
  }

  /** Purges in batches of short transactions; returns the number of records purged. */
  async purge(batchSize = 500, dryRun = false): Promise<{ purged: number; due: number }> {
    if (dryRun) return { purged: 0, due: await this.due() };
    let purged = 0;
    for (;;) {
      const n = await this.ds.transaction(async (em) => {
        const rows: Array<{ id: string; agency_id: string; kind: string; local_id: string }> = await em.query(
          `SELECT id, agency_id, kind, local_id FROM records WHERE ${this.dueSql()} ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [batchSize],
        );
        if (!rows.length) return 0;
        const ids = rows.map((r) => r.id);
        await em.query(`UPDATE records SET pii_enc = NULL, pii_purged_at = now() WHERE id = ANY($1::uuid[])`, [ids]);
        await em.query(`UPDATE record_versions SET pii_enc = NULL WHERE record_id = ANY($1::uuid[]) AND pii_enc IS NOT NULL`, [ids]);
        await em.query(`UPDATE victim_facts SET curp_hash = NULL, phone_hash = NULL WHERE record_id = ANY($1::uuid[])`, [ids]);
        for (const hook of this.hooks) await hook(em, ids);
        const byAgency = new Map<string, typeof rows>();
        for (const r of rows) byAgency.set(r.agency_id, [...(byAgency.get(r.agency_id) ?? []), r]);
        for (const [agencyId, list] of byAgency) {
          await this.audit.append(em, {
            agencyId: null,
            actor: 'system:retention',
            action: 'retention.purge',
            resourceType: 'records',
            resourceAgencyId: agencyId,
            resourceIds: list.map((r) => `${r.kind}/${r.local_id}`),
            details: { count: list.length },
          });
        }
        return rows.length;
      });
      if (!n) break;
      purged += n;
    }
    return { purged, due: await this.due() };
  }
}
