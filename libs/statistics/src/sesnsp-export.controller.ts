import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Scopes } from '@app/auth';
import { SesnspExportDto, SesnspExportQueryDto, SesnspRowDto, SesnspVictimsDto } from './dto/sesnsp-export.dto';
import { SesnspExportService, sesnspCsv } from './sesnsp-export.service';

/** Exports for other national systems (R4, R37). */
@ApiTags('statistics')
@ApiExtraModels(SesnspExportDto, SesnspRowDto, SesnspVictimsDto)
@Controller('exports')
export class SesnspExportController {
  constructor(private readonly exports: SesnspExportService) {}

  /**
   * Monthly counts in the SESNSP layout (R4): per offense × state × jurisdiction × file type, the
   * investigation files opened in the month and their victims by sex and age group (under 18 / 18 and over /
   * unknown). Every catalog offense is listed, zeros included. CSV by default, JSON with `format=json`.
   * Exact counts: needs `statistics:read` and `statistics:exact`.
   */
  @Get('sesnsp')
  @Scopes('statistics:read', 'statistics:exact')
  @ApiProduces('text/csv', 'application/json')
  @ApiOkResponse({
    description: 'The export',
    content: {
      'text/csv': { schema: { type: 'string', description: 'One line per row; victims by sex × age group in columns' } },
      'application/json': { schema: { $ref: getSchemaPath(SesnspExportDto) } },
    },
  })
  async sesnsp(@Query() query: SesnspExportQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const result = await this.exports.export(query.month);
    void reply.header('x-statistics-as-of', result.asOf).header('x-statistics-unit', 'investigation_file');
    if (query.format === 'json') {
      void reply.status(200).send(result);
      return;
    }
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="sesnsp-${query.month}.csv"`)
      .status(200)
      .send(sesnspCsv(result));
  }
}
