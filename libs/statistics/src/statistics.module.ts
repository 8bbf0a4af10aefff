import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { CoverageController } from './coverage.controller';
import { CoverageService } from './coverage.service';
import { DashboardController } from './dashboard.controller';
import { DASHBOARD_HTML } from './dashboard-page';
import { SesnspExportController } from './sesnsp-export.controller';
import { SesnspExportService } from './sesnsp-export.service';
import { OpenDataController, StatisticsController } from './statistics.controller';
import { ReferralFunnelController } from './referral-funnel.controller';
import { ReferralFunnelService } from './referral-funnel.service';
import { StatisticsService } from './statistics.service';

/** Statistics (counts only, cross-agency), open data and the public dashboard. */
@Module({
  controllers: [CoverageController, SesnspExportController, ReferralFunnelController, StatisticsController, OpenDataController, DashboardController],
  providers: [StatisticsService, CoverageService, SesnspExportService, ReferralFunnelService],
  exports: [StatisticsService],
})
export class StatisticsModule implements OnModuleInit {
  constructor(private readonly adapter: HttpAdapterHost) {}

  /** `/dashboard` outside the `/v1` prefix (the same page as `/v1/dashboard`). */
  onModuleInit(): void {
    const fastify = this.adapter.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || typeof fastify.get !== 'function') return;
    fastify.get('/dashboard', async (_req, reply) => {
      void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'public, max-age=3600');
      return DASHBOARD_HTML;
    });
  }
}
