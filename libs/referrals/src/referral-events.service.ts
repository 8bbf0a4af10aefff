import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DbContext, asAgencyId } from '@app/db';
import { WebhooksService } from '@app/webhooks';

export const REFERRAL_OVERDUE_QUEUE = 'referrals.overdue';
/** Every minute (pg-boss keeps one schedule across all instances). */
export const REFERRAL_OVERDUE_CRON = '* * * * *';
/** Referrals handled per run; the rest wait for the next minute. */
const OVERDUE_BATCH = 500;

/** Past its time limit: `sent` after acknowledgeDueAt, or `acknowledged` after respondDueAt. */
const OVERDUE_SQL = `((r.status = 'sent' AND r.acknowledge_due_at < now()) OR (r.status = 'acknowledged' AND r.respond_due_at < now()))`;

/**
 * Webhook events that are not one referral request: `referral.overdue` (scheduled job, once per referral
 * and status, to both parties) and `record.changed` (an agency's own record writes, one event per write
 * transaction, to its own endpoints).
 */
@Injectable()
export class ReferralEventsService {
  private readonly logger = new Logger('ReferralEvents');

  constructor(
    private readonly db: DbContext,
    private readonly webhooks: WebhooksService,
  ) {}

  /**
   * Sends `referral.overdue` for every referral that became overdue and was not notified in its current
   * status. Each notice is its own transaction as the receiving agency (RLS, webhook_fanout checks), and
   * the marker is set in that transaction, so a notice is queued once even when runs overlap.
   */
  async notifyOverdue(): Promise<number> {
    const due: Array<{ id: string; receiver_agency_id: string; status: string }> = await this.db.system((em) =>
      em.query(
        `SELECT r.id, r.receiver_agency_id, r.status FROM referrals r
          WHERE ${OVERDUE_SQL} AND r.overdue_notified_for IS DISTINCT FROM r.status
          ORDER BY r.acknowledge_due_at LIMIT ${OVERDUE_BATCH}`,
      ),
    );
    let sent = 0;
    for (const d of due) {
      try {
        const ok = await this.db.withAgency(asAgencyId(d.receiver_agency_id), async ({ em }) => {
          const [rows]: [
            Array<{ id: string; sender_agency_id: string; receiver_agency_id: string; status: string; urgency: string; involves_minor: boolean; kind: string; due_at: Date }>,
            number,
          ] = await em.query(
            `UPDATE referrals r SET overdue_notified_for = r.status
              WHERE r.id = $1 AND r.status = $2 AND ${OVERDUE_SQL} AND r.overdue_notified_for IS DISTINCT FROM r.status
              RETURNING r.id, r.sender_agency_id, r.receiver_agency_id, r.status, r.urgency, r.involves_minor, r.kind,
                        CASE WHEN r.status = 'sent' THEN r.acknowledge_due_at ELSE r.respond_due_at END AS due_at`,
            [d.id, d.status],
          );
          const r = rows[0];
          if (!r) return false;
          await this.webhooks.emit(em, [r.sender_agency_id, r.receiver_agency_id], 'referral.overdue', {
            referralId: r.id,
            kind: r.kind,
            status: r.status,
            overdueFor: r.status === 'sent' ? 'acknowledge' : 'respond',
            dueAt: r.due_at.toISOString(),
            urgency: r.urgency,
            involvesMinor: r.involves_minor,
          });
          return true;
        });
        if (ok) sent++;
      } catch (err) {
        this.logger.error({ referralId: d.id, err: { message: (err as Error).message } }, 'overdue notice failed');
      }
    }
    return sent;
  }

  /** Write hook of the record store: one `record.changed` event per write transaction (identifiers and versions only). */
  async recordsWritten(em: EntityManager, agencyId: string, kind: string, recordIds: string[]): Promise<void> {
    if (!recordIds.length) return;
    const rows: Array<{ local_id: string; version: number; op: string }> = await em.query(
      `SELECT local_id, version, CASE WHEN withdrawn_at IS NOT NULL THEN 'withdraw' WHEN version = 1 THEN 'create' ELSE 'update' END AS op
         FROM records WHERE agency_id = $1 AND id = ANY($2::uuid[]) ORDER BY local_id`,
      [agencyId, recordIds],
    );
    if (!rows.length) return;
    await this.webhooks.emit(em, [agencyId], 'record.changed', {
      kind,
      count: rows.length,
      records: rows.map((r) => ({ localId: r.local_id, version: r.version, op: r.op })),
    });
  }
}
