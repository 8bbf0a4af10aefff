import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@app/auth';
import { DASHBOARD_HTML } from './dashboard-page';

/** The public dashboard page (static HTML that reads /v1/open-data). Not part of the API contract. */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardController {
  @Get()
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'public, max-age=3600')
  getDashboard(): string {
    return DASHBOARD_HTML;
  }
}
