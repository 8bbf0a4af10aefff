import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiNotModifiedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import { FIELD_CIPHER, type FieldCipher } from '@app/crypto';
import { PageQueryDto } from '@app/http';
import { BatchResultDto, RecordVersionPageDto, WithdrawQueryDto } from '../records.dto';
import { header, preconditionsOf, provenanceOf, sendRecord } from '../record-http';
import { RecordsService } from '../records.service';
import type { RecordKindDefinition } from '../record-kind';
import { victimKind } from './victim-kind';
import { VictimBatchDto, VictimDto, VictimListQueryDto, VictimPageDto, VictimPiiDto, VictimRecordDto } from './victim.dto';

@ApiTags('victims')
@ApiExtraModels(VictimPiiDto)
@Controller('victims')
export class VictimsController {
  private readonly def: RecordKindDefinition<object>;

  constructor(
    private readonly records: RecordsService,
    @Inject(FIELD_CIPHER) cipher: FieldCipher,
  ) {
    this.def = victimKind(cipher);
    this.records.register(this.def);
  }

  /**
   * Creates or replaces the victim record `localId` (idempotent: identical content → `unchanged`, no new
   * version). `If-Match` makes the write conditional on the current ETag; `If-None-Match: *` on absence.
   */
  @Put(':localId')
  @Scopes('victims:write')
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiHeader({ name: 'If-None-Match', required: false })
  @ApiHeader({ name: 'X-Source-System', required: false, description: 'Provenance: the agency system the data comes from' })
  @ApiHeader({ name: 'X-Submission-Id', required: false, description: "Provenance: the caller's submission id" })
  @ApiOkResponse({ type: VictimRecordDto, description: 'Updated or unchanged' })
  @ApiCreatedResponse({ type: VictimRecordDto, description: 'Created' })
  async putVictim(
    @CurrentActor() actor: Actor,
    @Param('localId') localId: string,
    @Body() body: VictimDto,
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

  /** Submits up to 1,000 victim records; one result per entry; `atomic: true` for all or nothing. */
  @Post('batch')
  @HttpCode(200)
  @Scopes('victims:write')
  submitVictimBatch(@CurrentActor() actor: Actor, @Body() body: VictimBatchDto): Promise<BatchResultDto> {
    return this.records.batch(this.def, actor, body);
  }

  /** Lists the agency's victim records by localId (withdrawn ones only with `includeWithdrawn=true`). */
  @Get()
  @Scopes('victims:read')
  async listVictims(@CurrentActor() actor: Actor, @Query() q: VictimListQueryDto): Promise<VictimPageDto> {
    const page = await this.records.list(this.def, actor, q, (n) => {
      const sql: string[] = [];
      const params: unknown[] = [];
      const add = (cond: (p: string) => string, v: unknown) => {
        params.push(v);
        sql.push(cond(`$${n + params.length - 1}`));
      };
      const fact = (cond: string) => `EXISTS (SELECT 1 FROM victim_facts f WHERE f.record_id = r.id AND f.agency_id = r.agency_id AND ${cond})`;
      if (q.sex) add((p) => fact(`f.sex = ${p}`), q.sex);
      if (q.nationality) add((p) => fact(`${p} = ANY(f.nationality)`), q.nationality);
      if (q.stateOfOrigin) add((p) => fact(`f.state_of_origin = ${p}`), q.stateOfOrigin);
      if (q.victimType) add((p) => fact(`f.victim_type = ${p}`), q.victimType);
      if (q.updatedSince) add((p) => `r.updated_at >= ${p}::timestamptz`, q.updatedSince);
      return { sql, params };
    });
    return page as unknown as VictimPageDto;
  }

  /** Reads one victim record (ETag; `If-None-Match` → 304). Personal data only with `pii:read`. */
  @Get(':localId')
  @Scopes('victims:read')
  @ApiOkResponse({ type: VictimRecordDto })
  @ApiNotModifiedResponse({ description: 'If-None-Match matched' })
  async getVictim(@CurrentActor() actor: Actor, @Param('localId') localId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    sendRecord(reply, 200, await this.records.get(this.def, actor, localId), header(req.headers, 'if-none-match'));
  }

  /** Every version of the record with provenance (client, time, source system, submission id, operation). */
  @Get(':localId/versions')
  @Scopes('victims:read')
  listVictimVersions(@CurrentActor() actor: Actor, @Param('localId') localId: string, @Query() q: PageQueryDto): Promise<RecordVersionPageDto> {
    return this.records.versions(this.def, actor, localId, q);
  }

  /** Withdraws the record with a reason code; it stays readable, flagged withdrawn, and the withdrawal is a version. */
  @Delete(':localId')
  @Scopes('victims:write')
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiOkResponse({ type: VictimRecordDto })
  async withdrawVictim(
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
