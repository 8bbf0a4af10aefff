import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';

interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * Prometheus metrics (prom-client): process metrics, request duration per route template, database
 * pool use, and gauges other modules register (queue depth, matching backlog) through `gauge()`.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'puente_http_request_duration_seconds',
    help: 'HTTP request duration by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly recordsWritten = new Counter({
    name: 'puente_records_written_total',
    help: 'Records written by kind and outcome (created, updated, unchanged, rejected)',
    labelNames: ['kind', 'status'] as const,
    registers: [this.registry],
  });

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  onModuleInit(): void {
    collectDefaultMetrics({ register: this.registry, prefix: 'puente_' });
    const pool = () => (this.ds.driver as unknown as { master?: PgPool }).master;
    this.gauge('puente_db_pool_connections', 'Database pool connections by state', ['state'], (set) => {
      const p = pool();
      if (!p) return;
      set({ state: 'total' }, p.totalCount);
      set({ state: 'idle' }, p.idleCount);
      set({ state: 'waiting' }, p.waitingCount);
    });
  }

  /** Registers a gauge whose value is read at scrape time. */
  gauge<L extends string>(name: string, help: string, labelNames: L[], read: (set: (labels: Record<L, string>, value: number) => void) => void | Promise<void>): void {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset();
        await read((labels, value) => this.set(labels, value));
      },
    });
  }
}
