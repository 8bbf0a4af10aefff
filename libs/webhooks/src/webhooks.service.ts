import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '@app/auth';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { AuditService } from '@app/audit';
import { FIELD_CIPHER, type FieldCipher } from '@app/crypto';
import { DbContext } from '@app/db';
import { ProblemException, decodeCursor, pageOf } from '@app/http';
import { JobsService } from '@app/jobs';
import type { CreateWebhookDto, CreatedWebhookDto, DeliveryStatus, WebhookDeliveryDto, WebhookDeliveryPageDto, WebhookDto, WebhookEvent, WebhookPageDto } from './dto/webhook.dto';
import { newWebhookSecret, signWebhook } from './webhook-signature';
import { WebhookTargetGuard } from './webhook-target';

export const WEBHOOK_QUEUE = 'webhooks.deliver';

/**
 * Seconds to wait before attempt n+1 after n failed attempts (exponential, capped at 8 h). The sum is
 * about 31.7 h, so an event is retried for more than 24 h before it is marked `failed`.
 */
export const WEBHOOK_BACKOFF_SECONDS = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800, 28800];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface EndpointRow {
  id: string;
  url: string;
  events: WebhookEvent[];
  description: string | null;
  created_at: Date;
}

interface DeliveryRow {
  id: string;
  seq: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
  payload: Record<string, unknown>;
}

/**
 * Signed webhooks (Standard Webhooks): endpoints per agency, an outbox of deliveries written in the
 * transaction of the event, and the `webhooks.deliver` job that posts them in order per endpoint with
 * exponential backoff. Bodies carry identifiers and codes only; receivers fetch details with the API.
 */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('Webhooks');
  private readonly targets: WebhookTargetGuard;

  constructor(
    private readonly db: DbContext,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.targets = new WebhookTargetGuard(config.webhookAllowedHosts ?? []);
  }

  // ---------------------------------------------------------------- endpoints

  async create(actor: Actor, body: CreateWebhookDto): Promise<CreatedWebhookDto> {
    if (process.env.NODE_ENV === 'production' && !body.url.startsWith('https://')) {
      throw ProblemException.validation([{ pointer: '#/url', detail: 'url must use https', rule: 'https' }]);
    }
    const target = await this.targets.check(body.url);
    if (!target.ok) {
      throw ProblemException.validation([
        { pointer: '#/url', detail: `${target.reason}: webhooks may not target loopback, private or link-local addresses (see WEBHOOK_ALLOWED_HOSTS)`, rule: 'public-address' },
      ]);
    }
    const secret = newWebhookSecret();
    return this.db.withAgency(actor.agencyId, async ({ em, agencyId }) => {
      const [row]: EndpointRow[] = await em.query(
        `INSERT INTO webhook_endpoints (agency_id, url, events, description, secret_enc, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, url, events, description, created_at`,
        [agencyId, body.url, [...new Set(body.events)], body.description ?? null, this.cipher.encrypt(secret), actor.clientId],
      );
      await this.audit.append(em, {
        agencyId,
        actor: actor.clientId,
        action: 'webhooks.create',
        resourceType: 'webhook_endpoint',
        resourceAgencyId: agencyId,
        resourceIds: [row.id],
        fields: ['url', 'events'],
      });
      return { ...toWebhookDto(row), secret };
    });
  }

  list(actor: Actor, q: { limit?: number; cursor?: string }): Promise<WebhookPageDto> {
    const limit = q.limit ?? 100;
    const after = decodeCursor<[string, string]>(q.cursor, 2);
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const rows: EndpointRow[] = await em.query(
          `SELECT id, url, events, description, created_at FROM webhook_endpoints
            WHERE agency_id = $1 AND deleted_at IS NULL AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
            ORDER BY created_at, id LIMIT $4`,
          [agencyId, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
        );
        return pageOf(rows, limit, (r) => [r.created_at.toISOString(), r.id], toWebhookDto);
      },
      { readOnly: true },
    );
  }

  async remove(actor: Actor, id: string): Promise<void> {
    if (!UUID.test(id)) throw ProblemException.notFound('Webhook');
    await this.db.withAgency(actor.agencyId, async ({ em, agencyId }) => {
      // UPDATE … RETURNING answers [rows, count] through TypeORM
      const [rows]: [Array<{ id: string }>, number] = await em.query(
        `UPDATE webhook_endpoints SET deleted_at = now() WHERE agency_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id`,
        [agencyId, id],
      );
      if (!rows.length) throw ProblemException.notFound('Webhook');
      await em.query(
        `UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint deleted' WHERE agency_id = $1 AND endpoint_id = $2 AND status = 'pending'`,
        [agencyId, id],
      );
      await this.audit.append(em, { agencyId, actor: actor.clientId, action: 'webhooks.delete', resourceType: 'webhook_endpoint', resourceAgencyId: agencyId, resourceIds: [id] });
    });
  }

  deliveries(actor: Actor, id: string, q: { limit?: number; cursor?: string }): Promise<WebhookDeliveryPageDto> {
    if (!UUID.test(id)) throw ProblemException.notFound('Webhook');
    const limit = q.limit ?? 100;
    const after = decodeCursor<[string]>(q.cursor, 1);
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const [ep]: Array<{ id: string }> = await em.query(`SELECT id FROM webhook_endpoints WHERE agency_id = $1 AND id = $2`, [agencyId, id]);
        if (!ep) throw ProblemException.notFound('Webhook');
        const rows: DeliveryRow[] = await em.query(
          `SELECT id, seq::text, event_type, status, attempts, next_attempt_at, last_attempt_at, last_status_code, last_error, delivered_at, created_at, payload
             FROM webhook_deliveries WHERE agency_id = $1 AND endpoint_id = $2 AND seq > $3 ORDER BY seq LIMIT $4`,
          [agencyId, id, after?.[0] ?? '0', limit + 1],
        );
        return pageOf(rows, limit, (r) => [r.seq], toDeliveryDto);
      },
      { readOnly: true },
    );
  }

  /** Sends a delivery again (e.g. after it failed for good, or to re-sync a receiver). Same webhook-id. */
  async replay(actor: Actor, id: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    if (!UUID.test(id) || !UUID.test(deliveryId)) throw ProblemException.notFound('Webhook delivery');
    return this.db.withAgency(actor.agencyId, async ({ em, agencyId }) => {
      const [rows]: [DeliveryRow[], number] = await em.query(
        `UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = now(), attempts = 0
           FROM webhook_endpoints e
          WHERE d.agency_id = $1 AND d.endpoint_id = $2 AND d.id = $3 AND e.id = d.endpoint_id AND e.agency_id = $1 AND e.deleted_at IS NULL
          RETURNING d.id, d.seq::text, d.event_type, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at, d.last_status_code, d.last_error,
                    d.delivered_at, d.created_at, d.payload`,
        [agencyId, id, deliveryId],
      );
      if (!rows.length) throw ProblemException.notFound('Webhook delivery');
      await this.jobs.send(WEBHOOK_QUEUE, { endpointId: id }, { em });
      await this.audit.append(em, { agencyId, actor: actor.clientId, action: 'webhooks.replay', resourceType: 'webhook_delivery', resourceAgencyId: agencyId, resourceIds: [deliveryId] });
      return toDeliveryDto(rows[0]);
    });
  }

  // ---------------------------------------------------------------- events

  /**
   * Queues an event for the subscribed endpoints of `agencyIds`, in the caller's transaction (the
   * deliveries and their jobs exist if and only if the event commits).
   */
  async emit(em: EntityManager, agencyIds: string[], type: WebhookEvent, data: Record<string, unknown>): Promise<void> {
    const payload = { type, timestamp: new Date().toISOString(), data };
    const rows: Array<{ ep: string }> = await em.query(`SELECT ep FROM webhook_fanout($1::uuid[], $2, $3::jsonb)`, [
      [...new Set(agencyIds)],
      type,
      JSON.stringify(payload),
    ]);
    for (const endpointId of new Set(rows.map((r) => r.ep))) await this.jobs.send(WEBHOOK_QUEUE, { endpointId }, { em });
  }

  // ---------------------------------------------------------------- delivery (job)

  /**
   * Posts the pending deliveries of one endpoint in order; stops at the first failure (so a receiver
   * gets events in order) and schedules the next attempt with backoff. One flush per endpoint at a
   * time (advisory lock); the delivery log is updated after every attempt.
   */
  async flush(endpointId: string): Promise<void> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }]: Array<{ locked: boolean }> = await runner.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`, [endpointId]);
      if (!locked) {
        await this.jobs.send(WEBHOOK_QUEUE, { endpointId }, { startAfterSeconds: 2 });
        return;
      }
      try {
        const [ep]: Array<{ url: string; secret_enc: string; deleted_at: Date | null }> = await runner.query(
          `SELECT url, secret_enc, deleted_at FROM webhook_endpoints WHERE id = $1`,
          [endpointId],
        );
        if (!ep || ep.deleted_at) return;
        const secret = this.cipher.decrypt(ep.secret_enc);
        for (;;) {
          const [d]: Array<{ id: string; attempts: number; due: boolean; payload: Record<string, unknown> }> = await runner.query(
            `SELECT id, attempts, next_attempt_at <= now() AS due, payload FROM webhook_deliveries
              WHERE endpoint_id = $1 AND status = 'pending' ORDER BY seq LIMIT 1`,
            [endpointId],
          );
          if (!d || !d.due) return; // nothing to do, or the next attempt is already scheduled
          const result = await this.post(ep.url, secret, d.id, d.payload);
          if (result.ok) {
            await runner.query(
              `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_attempt_at = now(), delivered_at = now(),
                      last_status_code = $2, last_error = NULL WHERE id = $1`,
              [d.id, result.status],
            );
            continue;
          }
          const delay = WEBHOOK_BACKOFF_SECONDS[d.attempts];
          await runner.query(
            `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = now(), last_status_code = $2, last_error = $3,
                    status = CASE WHEN $4::int IS NULL THEN 'failed' ELSE 'pending' END,
                    next_attempt_at = CASE WHEN $4::int IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $4::int) END
              WHERE id = $1`,
            [d.id, result.status ?? null, result.error?.slice(0, 200) ?? null, delay ?? null],
          );
          if (delay === undefined) continue; // given up on this one (visible in the log; can be replayed)
          await this.jobs.send(WEBHOOK_QUEUE, { endpointId }, { startAfterSeconds: delay });
          return;
        }
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [endpointId]);
      }
    } finally {
      await runner.release();
    }
  }

  private async post(url: string, secret: string, id: string, payload: Record<string, unknown>): Promise<{ ok: boolean; status?: number; error?: string }> {
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(Date.now() / 1000);
    const target = await this.targets.checkBeforeDelivery(url);
    if (!target.ok) return { ok: false, error: target.reason };
    try {
      const res = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Puente-Webhooks/1',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(secret, id, timestamp, body),
        },
        body,
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 300 ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const error = cause?.code ?? cause?.message ?? (err as Error).name ?? 'error';
      this.logger.warn({ endpointDelivery: id, error }, 'webhook delivery failed');
      return { ok: false, error };
    }
  }
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toWebhookDto(r: EndpointRow): WebhookDto {
  return { id: r.id, url: r.url, events: r.events, description: r.description, createdAt: r.created_at.toISOString() };
}

function toDeliveryDto(r: DeliveryRow): WebhookDeliveryDto {
  return {
    id: r.id,
    eventType: r.event_type,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'pending' ? iso(r.next_attempt_at) : null,
    lastAttemptAt: iso(r.last_attempt_at),
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    deliveredAt: iso(r.delivered_at),
    createdAt: r.created_at.toISOString(),
    payload: r.payload,
  };
}
