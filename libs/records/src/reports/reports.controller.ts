import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiNotModifiedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import { PageQueryDto } from '@app/http';
import { BatchResultDto, RecordVersionPageDto, WithdrawQueryDto } from '../records.dto';
import { header, preconditionsOf, provenanceOf, sendRecord } from '../record-http';
import { RecordsService } from '../records.service';
import type { RecordKindDefinition } from '../record-kind';
import { reportKind } from './report-kind';
import { ReportBatchDto, ReportDto, ReportListQueryDto, ReportPageDto, ReportPiiDto, ReportRecordDto } from './report.dto';

@ApiTags('reports')
@ApiExtraModels(ReportPiiDto)
@Controller('reports')
export class ReportsController {
  private readonly def: RecordKindDefinition<object>;

  constructor(
    private readonly records: RecordsService,
  ) {
    this.def = reportKind();
    this.records.register(this.def);
  }

  /**
   * Creates or replaces the report record `localId` (idempotent: identical content → `unchanged`, no new
   * version). `If-Match` makes the write conditional on the current ETag; `If-None-Match: *` on absence.
   */
  @Put(':localId')
  @Scopes('reports:write')
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'If-None-Match', required: false })
  @ApiHeader({ name: 'X-Source-System', required: false, description: 'Provenance: the agency system the data comes from' })
  @ApiHeader({ name: 'X-Submission-Id', required: false, description: "Provenance: the caller's submission id" })
  @ApiOkResponse({ type: ReportRecordDto, description: 'Updated or unchanged' })
  @ApiCreatedResponse({ type: ReportRecordDto, description: 'Created' })
  async putReport(
    @CurrentActor() actor: Actor,
    @Param('localId') localId: string,
    @Body() body: ReportDto,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { created, record } = await this.records.put(
      this.def,
      actor,
      localId,
      body,
      preconditionsOf(req.headers),
      provenanceOf(req.headers),
    );
    sendRecord(reply, created ? 201 : 200, record);
  }

  /** Submits up to 1,000 report records; one result per entry; `atomic: true` for all or nothing. */
  @Post('batch')
  @HttpCode(200)
  @Scopes('reports:write')
  submitReportBatch(@CurrentActor() actor: Actor, @Body() body: ReportBatchDto): Promise<BatchResultDto> {
    return this.records.batch(this.def, actor, body);
  }

  /** Lists the agency's report records by localId (withdrawn ones only with `includeWithdrawn=true`). */
  @Get()
  @Scopes('reports:read')
  async listReports(@CurrentActor() actor: Actor, @Query() q: ReportListQueryDto): Promise<ReportPageDto> {
    const page = await this.records.list(this.def, actor, q, (n) => {
      const sql: string[] = [];
      const params: unknown[] = [];
      const add = (cond: (p: string) => string, v: unknown) => {
        params.push(v);
        sql.push(cond(`$${n + params.length - 1}`));
      };
      if (q.channel) add((p) => `r.data->>'channel' = ${p}`, q.channel);
      if (q.classification) add((p) => `r.data->>'classification' = ${p}`, q.classification);
      if (q.updatedSince) add((p) => `r.updated_at >= ${p}::timestamptz`, q.updatedSince);
      return { sql, params };
    });
    return page as unknown as ReportPageDto;
  }

  /** Reads one report record (ETag; `If-None-Match` → 304). Personal data only with `pii:read`. */
  @Get(':localId')
  @Scopes('reports:read')
  @ApiOkResponse({ type: ReportRecordDto })
  @ApiNotModifiedResponse({ description: 'If-None-Match matched' })
  async getReport(@CurrentActor() actor: Actor, @Param('localId') localId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    sendRecord(reply, 200, await this.records.get(this.def, actor, localId), header(req.headers, 'if-none-match'));
  }

  /** Every version of the record with provenance (client, time, source system, submission id, operation). */
  @Get(':localId/versions')
  @Scopes('reports:read')
  listReportVersions(@CurrentActor() actor: Actor, @Param('localId') localId: string, @Query() q: PageQueryDto): Promise<RecordVersionPageDto> {
    return this.records.versions(this.def, actor, localId, q);
  }

  /** Withdraws the record with a reason code; it stays readable, flagged withdrawn, and the withdrawal is a version. */
  @Delete(':localId')
  @Scopes('reports:write')
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiOkResponse({ type: ReportRecordDto })
  async withdrawReport(
    @CurrentActor() actor: Actor,
    @Param('localId') localId: string,
    @Query() q: WithdrawQueryDto,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const record = await this.records.withdraw(this.def, actor, localId, q.reason, { ifMatch: header(req.headers, 'if-match') }, provenanceOf(req.headers));
    sendRecord(reply, 200, record);
  }
}
