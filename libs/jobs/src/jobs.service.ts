import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import PgBoss from 'pg-boss';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/config';

export const JOBS_SCHEMA = 'pgboss';

export interface JobHandlerOptions {
  /** Jobs fetched per poll (the handler gets them together). Default 10. */
  batchSize?: number;
  /** Poll interval in seconds when the queue is idle. Default 1. */
  pollingIntervalSeconds?: number;
  /** Retries before a job is failed. Default 5, with exponential backoff. */
  retryLimit?: number;
}

type Handler<T> = (jobs: Array<{ id: string; data: T }>) => Promise<void>;

/**
 * The Postgres-backed job queue (pg-boss 10, schema `pgboss`, created by a migration). Every instance
 * can enqueue; instances with JOBS_WORKERS=true (the default) also process. Enqueue inside a
 * transaction (`send(queue, data, { em })`) so the job exists exactly when the write commits.
 */
@Injectable()
export class JobsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private boss?: PgBoss;
  private readonly handlers: Array<{ queue: string; handler: Handler<unknown>; opts: JobHandlerOptions }> = [];
  private readonly queues = new Set<string>();
  private readonly schedules: Array<{ queue: string; cron: string }> = [];
  private started = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig & { databaseUrl: string },
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    this.boss = new PgBoss({
      connectionString: this.config.databaseUrl,
      schema: JOBS_SCHEMA,
      migrate: false,
      max: 4,
      application_name: 'puente-jobs',
      supervise: this.config.jobsWorkers,
      schedule: this.config.jobsWorkers,
    });
    this.boss.on('error', (err: Error) => this.logger.error({ err: { message: err.message } }, 'job queue error'));
    await this.boss.start();
    this.started = true;
    for (const h of this.handlers) await this.attach(h.queue, h.handler, h.opts);
    for (const s of this.schedules) await this.schedule(s.queue, s.cron);
  }

  /** Declares a queue and, on worker instances, its handler. Call from a module's onModuleInit. */
  async register<T>(queue: string, handler: Handler<T>, opts: JobHandlerOptions = {}): Promise<void> {
    if (!this.started) {
      this.handlers.push({ queue, handler: handler as Handler<unknown>, opts });
      return;
    }
    await this.attach(queue, handler as Handler<unknown>, opts);
  }

  private async attach(queue: string, handler: Handler<unknown>, opts: JobHandlerOptions): Promise<void> {
    await this.ensureQueue(queue, opts);
    if (!this.config.jobsWorkers) return;
    await this.boss!.work(queue, { batchSize: opts.batchSize ?? 10, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 1 }, async (jobs) => {
      await handler(jobs.map((j) => ({ id: j.id, data: j.data })));
    });
  }

  private async ensureQueue(queue: string, opts: JobHandlerOptions = {}): Promise<void> {
    if (this.queues.has(queue)) return;
    await this.boss!.createQueue(queue, { name: queue, retryLimit: opts.retryLimit ?? 5, retryBackoff: true, retryDelay: 2 } as PgBoss.Queue);
    this.queues.add(queue);
  }

  /**
   * Enqueues a job. With `em`, the insert runs on that transaction's connection, so the job is created
   * if and only if the transaction commits. `singletonKey` de-duplicates queued jobs.
   */
  async send<T extends object>(queue: string, data: T, opts: { em?: EntityManager; singletonKey?: string; startAfterSeconds?: number } = {}): Promise<string | null> {
    await this.ensureQueue(queue);
    const db = opts.em ? { executeSql: async (text: string, values: unknown[]) => ({ rows: (await opts.em!.query(text, values)) as unknown[] }) } : undefined;
    return this.boss!.send(queue, data, { ...(db ? { db } : {}), ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}), ...(opts.startAfterSeconds ? { startAfter: opts.startAfterSeconds } : {}) } as PgBoss.SendOptions);
  }

  /** Runs `queue` on a cron schedule (pg-boss keeps one schedule per queue across all instances). */
  async schedule(queue: string, cron: string): Promise<void> {
    if (!this.started) {
      this.schedules.push({ queue, cron });
      return;
    }
    await this.ensureQueue(queue);
    if (this.config.jobsWorkers) await this.boss!.schedule(queue, cron, {}, { tz: 'UTC' });
  }

  /** Jobs waiting (created or retry) in a queue. */
  async depth(queue: string): Promise<number> {
    const rows: Array<{ n: string }> = await this.ds.query(`SELECT count(*)::text AS n FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND state IN ('created', 'retry')`, [queue]);
    return Number(rows[0]?.n ?? 0);
  }

  /** Age in seconds of the oldest waiting job (0 when none). */
  async oldestAgeSeconds(queue: string): Promise<number> {
    const rows: Array<{ s: string | null }> = await this.ds.query(
      `SELECT extract(epoch from now() - min(created_on))::text AS s FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND state IN ('created', 'retry')`,
      [queue],
    );
    return Number(rows[0]?.s ?? 0);
  }

  registeredQueues(): string[] {
    return [...this.queues];
  }

  /** Waits until the queue has no waiting or active job (tests and CLI commands). */
  async drain(queue: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows: Array<{ n: string }> = await this.ds.query(`SELECT count(*)::text AS n FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND state IN ('created', 'retry', 'active')`, [queue]);
      if (Number(rows[0].n) === 0) return;
      if (Date.now() > deadline) throw new Error(`queue ${queue} not drained after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.boss && this.started) {
      this.started = false;
      await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    }
  }
}
