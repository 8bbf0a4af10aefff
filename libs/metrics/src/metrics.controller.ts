import { Controller, Get, Header, Headers, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@app/auth';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ProblemException } from '@app/http';
import { MetricsService } from './metrics.service';

/**
 * `GET /metrics` in Prometheus text format. Open unless METRICS_TOKEN is set, then it needs
 * `Authorization: Bearer <METRICS_TOKEN>`; expose it only on the internal network either way.
 * Not part of the public contract.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Public()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async getMetrics(@Headers('authorization') auth?: string): Promise<string> {
    if (this.config.metricsToken && auth !== `Bearer ${this.config.metricsToken}`) {
      throw new ProblemException(401, 'unauthorized', { detail: 'Send Authorization: Bearer <METRICS_TOKEN>' });
    }
    return this.metrics.registry.metrics();
  }
}
