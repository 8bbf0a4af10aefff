import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiNotModifiedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import { PageQueryDto, ProblemException } from '@app/http';
import { isRealDate } from '../catalog-code';
import { BatchResultDto, RecordVersionPageDto, WithdrawQueryDto } from '../records.dto';
import { header, preconditionsOf, provenanceOf, sendRecord } from '../record-http';
import { RecordsService } from '../records.service';
import type { RecordKindDefinition } from '../record-kind';
import { judicialOutcomeKind } from './judicial-outcome-kind';
import {
  JudicialOutcomeBatchDto,
  JudicialOutcomeDto,
  JudicialOutcomeListQueryDto,
  JudicialOutcomePageDto,
  JudicialOutcomePiiDto,
  JudicialOutcomeRecordDto,
} from './judicial-outcome.dto';

@ApiTags('judicial-outcomes')
@ApiExtraModels(JudicialOutcomePiiDto)
@Controller('judicial-outcomes')
export class JudicialOutcomesController {
  private readonly def: RecordKindDefinition<object>;

  constructor(private readonly records: RecordsService) {
    this.def = judicialOutcomeKind();
    this.records.register(this.def);
  }

  /**
   * Creates or replaces the judicial-outcome record `localId` (idempotent: identical content → `unchanged`, no new
   * version). `If-Match` makes the write conditional on the current ETag; `If-None-Match: *` on absence.
   */
  @Put(':localId')
  @Scopes('cases:write')
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'If-None-Match', required: false })
  @ApiHeader({ name: 'X-Source-System', required: false, description: 'Provenance: the agency system the data comes from' })
  @ApiHeader({ name: 'X-Submission-Id', required: false, description: "Provenance: the caller's submission id" })
  @ApiOkResponse({ type: JudicialOutcomeRecordDto, description: 'Updated or unchanged' })
  @ApiCreatedResponse({ type: JudicialOutcomeRecordDto, description: 'Created' })
  async putJudicialOutcome(
    @CurrentActor() actor: Actor,
    @Param('localId') localId: string,
    @Body() body: JudicialOutcomeDto,
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

  /** Submits up to 1,000 judicial-outcome records; one result per entry; `atomic: true` for all or nothing. */
  @Post('batch')
  @HttpCode(200)
  @Scopes('cases:write')
  submitJudicialOutcomeBatch(@CurrentActor() actor: Actor, @Body() body: JudicialOutcomeBatchDto): Promise<BatchResultDto> {
    return this.records.batch(this.def, actor, body);
  }

  /** Lists the agency's judicial-outcome records by localId (withdrawn ones only with `includeWithdrawn=true`). */
  @Get()
  @Scopes('cases:read')
  async listJudicialOutcomes(@CurrentActor() actor: Actor, @Query() q: JudicialOutcomeListQueryDto): Promise<JudicialOutcomePageDto> {
    for (const f of ['decidedFrom', 'decidedTo'] as const) {
      if (!isRealDate(q[f])) throw ProblemException.validation([{ pointer: `#/${f}`, detail: `${f} is not a calendar date`, rule: 'date' }]);
    }
    const page = await this.records.list(this.def, actor, q, (n) => {
      const sql: string[] = [];
      const params: unknown[] = [];
      const add = (cond: (p: string) => string, v: unknown) => {
        params.push(v);
        sql.push(cond(`$${n + params.length - 1}`));
      };
      const fact = (cond: string) => `EXISTS (SELECT 1 FROM judicial_outcome_facts f WHERE f.record_id = r.id AND f.agency_id = r.agency_id AND ${cond})`;
      if (q.outcome) add((p) => fact(`f.outcome = ${p}`), q.outcome);
      if (q.offense) add((p) => fact(`f.offense_code = ${p}`), q.offense);
      if (q.caseLocalId) add((p) => fact(`f.case_local_id = ${p}`), q.caseLocalId);
      if (q.accusedLocalId) add((p) => fact(`f.accused_local_id = ${p}`), q.accusedLocalId);
      if (q.final) add((p) => fact(`f.final = ${p}::boolean`), q.final);
      if (q.decidedFrom) add((p) => fact(`f.decision_date >= ${p}::date`), q.decidedFrom);
      if (q.decidedTo) add((p) => fact(`f.decision_date <= ${p}::date`), q.decidedTo);
      if (q.updatedSince) add((p) => `r.updated_at >= ${p}::timestamptz`, q.updatedSince);
      return { sql, params };
    });
    return page as unknown as JudicialOutcomePageDto;
  }

  /** Reads one judicial-outcome record (ETag; `If-None-Match` → 304). Personal data only with `pii:read`. */
  @Get(':localId')
  @Scopes('cases:read')
  @ApiOkResponse({ type: JudicialOutcomeRecordDto })
  @ApiNotModifiedResponse({ description: 'If-None-Match matched' })
  async getJudicialOutcome(@CurrentActor() actor: Actor, @Param('localId') localId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    sendRecord(reply, 200, await this.records.get(this.def, actor, localId), header(req.headers, 'if-none-match'));
  }

  /** Every version of the record with provenance (client, time, source system, submission id, operation). */
  @Get(':localId/versions')
  @Scopes('cases:read')
  listJudicialOutcomeVersions(@CurrentActor() actor: Actor, @Param('localId') localId: string, @Query() q: PageQueryDto): Promise<RecordVersionPageDto> {
    return this.records.versions(this.def, actor, localId, q);
  }

  /** Withdraws the record with a reason code; it stays readable, flagged withdrawn, and the withdrawal is a version. */
  @Delete(':localId')
  @Scopes('cases:write')
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiOkResponse({ type: JudicialOutcomeRecordDto })
  async withdrawJudicialOutcome(
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
