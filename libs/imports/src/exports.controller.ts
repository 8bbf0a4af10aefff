import { Readable } from 'node:stream';
import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import { ExportQueryDto } from './imports.dto';
import { ExportsService } from './exports.service';

@ApiTags('exports')
@Controller('exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  /**
   * Streams the agency's own records of `kind` (needs the kind's read scope): NDJSON, one batch entry per
   * line, or CSV with the import template's columns. Personal fields only with `pii:read`.
   */
  @Get(':kind')
  @Scopes()
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({ description: 'NDJSON or CSV stream', content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } } })
  exportRecords(@CurrentActor() actor: Actor, @Param('kind') kind: string, @Query() q: ExportQueryDto, @Res() reply: FastifyReply): void {
    const { def, format } = this.exports.prepare(actor, kind, q);
    const body = Readable.from(this.exports.stream(actor, def, format, q));
    void reply
      .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
      .header('content-disposition', `attachment; filename="puente-${def.kind}.${format}"`)
      .send(body);
  }
}
