import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiNotModifiedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import { CrosswalkService } from '@app/catalogs';
import { PageQueryDto } from '@app/http';
import { BatchResultDto, RecordVersionPageDto, WithdrawQueryDto } from '../records.dto';
import { header, preconditionsOf, provenanceOf, sendRecord } from '../record-http';
import { RecordsService } from '../records.service';
import type { RecordKindDefinition } from '../record-kind';
import { caseKind } from './case-kind';
import { CaseBatchDto, CaseDto, CaseListQueryDto, CasePageDto, CasePiiDto, CaseRecordDto } from './case.dto';

@ApiTags('cases')
@ApiExtraModels(CasePiiDto)
@Controller('cases')
export class CasesController {
  private readonly def: RecordKindDefinition<object>;

  constructor(
    private readonly records: RecordsService,
    crosswalks: CrosswalkService,
  ) {
    this.def = caseKind(crosswalks);
    this.records.register(this.def);
  }

  /**
   * Creates or replaces the case record `localId` (idempotent: identical content → `unchanged`, no new
   * version). `If-Match` makes the write conditional on the current ETag; `If-None-Match: *` on absence.
   */
  @Put(':localId')
  @Scopes('cases:write')
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'If-None-Match', required: false })
  @ApiHeader({ name: 'X-Source-System', required: false, description: 'Provenance: the agency system the data comes from' })
  @ApiHeader({ name: 'X-Submission-Id', required: false, description: "Provenance: the caller's submission id" })
  @ApiOkResponse({ type: CaseRecordDto, description: 'Updated or unchanged' })
  @ApiCreatedResponse({ type: CaseRecordDto, description: 'Created' })
  async putCase(
    @CurrentActor() actor: Actor,
    @Param('localId') localId: string,
    @Body() body: CaseDto,
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

  /** Submits up to 1,000 case records; one result per entry; `atomic: true` for all or nothing. */
  @Post('batch')
  @HttpCode(200)
  @Scopes('cases:write')
  submitCaseBatch(@CurrentActor() actor: Actor, @Body() body: CaseBatchDto): Promise<BatchResultDto> {
    return this.records.batch(this.def, actor, body);
  }

  /** Lists the agency's case records (investigation files) by localId (withdrawn ones only with `includeWithdrawn=true`). */
  @Get()
  @Scopes('cases:read')
  async listCases(@CurrentActor() actor: Actor, @Query() q: CaseListQueryDto): Promise<CasePageDto> {
    const page = await this.records.list(this.def, actor, q, (n) => {
      const sql: string[] = [];
      const params: unknown[] = [];
      const add = (cond: (p: string) => string, v: unknown) => {
        params.push(v);
        sql.push(cond(`$${n + params.length - 1}`));
      };
      const charge = (cond: string) => `EXISTS (SELECT 1 FROM case_charges c WHERE c.record_id = r.id AND c.agency_id = r.agency_id AND ${cond})`;
      if (q.offense) add((p) => charge(`c.offense_code = ${p}`), q.offense);
      if (q.stage) add((p) => charge(`c.stage = ${p}`), q.stage);
      if (q.jurisdiction) add((p) => `r.data->>'jurisdiction' = ${p}`, q.jurisdiction);
      if (q.openedFrom) add((p) => `r.data->>'openedOn' >= ${p}`, q.openedFrom);
      if (q.openedTo) add((p) => `r.data->>'openedOn' <= ${p}`, q.openedTo);
      if (q.updatedSince) add((p) => `r.updated_at >= ${p}::timestamptz`, q.updatedSince);
      return { sql, params };
    });
    return page as unknown as CasePageDto;
  }

  /** Reads one case record (ETag; `If-None-Match` → 304). Personal data only with `pii:read`. */
  @Get(':localId')
  @Scopes('cases:read')
  @ApiOkResponse({ type: CaseRecordDto })
  @ApiNotModifiedResponse({ description: 'If-None-Match matched' })
  async getCase(@CurrentActor() actor: Actor, @Param('localId') localId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    sendRecord(reply, 200, await this.records.get(this.def, actor, localId), header(req.headers, 'if-none-match'));
  }

  /** Every version of the record with provenance (client, time, source system, submission id, operation). */
  @Get(':localId/versions')
  @Scopes('cases:read')
  listCaseVersions(@CurrentActor() actor: Actor, @Param('localId') localId: string, @Query() q: PageQueryDto): Promise<RecordVersionPageDto> {
    return this.records.versions(this.def, actor, localId, q);
  }

  /** Withdraws the record with a reason code; it stays readable, flagged withdrawn, and the withdrawal is a version. */
  @Delete(':localId')
  @Scopes('cases:write')
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiOkResponse({ type: CaseRecordDto })
  async withdrawCase(
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
