import { Body, Controller, Delete, Get, HttpCode, Inject, type InjectionToken, Param, Post, Put, Query, Req, Res, type Type } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiNotModifiedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, CurrentActor, type Scope, Scopes } from '@app/auth';
import { PageQueryDto } from '@app/http';
import { header, preconditionsOf, provenanceOf, sendRecord } from './record-http';
import type { RecordKindDefinition } from './record-kind';
import { BatchResultDto, type RecordListQueryDto, RecordVersionPageDto, WithdrawQueryDto } from './records.dto';
import { RecordsService } from './records.service';

/**
 * The HTTP routes of one record kind, built from its definition and DTO classes: PUT /{path}/{localId}
 * (idempotent create or replace, ETags), POST /{path}/batch, GET /{path} (list with the kind's filters),
 * GET /{path}/{localId}, GET /{path}/{localId}/versions and DELETE /{path}/{localId} (withdrawal).
 *
 * Use, in `<kind>/<kind>.controller.ts` (a concrete class, so Nest and the contract see a real name):
 *
 *   export class VictimsController extends recordKindController({
 *     path: 'victims',
 *     names: { one: 'Victim', many: 'Victims' },          // operationIds putVictim, listVictims, submitVictimBatch…
 *     noun: 'victim',                                      // in the operation summaries
 *     scopes: { read: 'victims:read', write: 'victims:write' },
 *     inject: [FIELD_CIPHER],                              // providers handed to `definition`
 *     definition: (cipher: FieldCipher) => victimKind(cipher),
 *     dtos: { document: VictimDto, batch: VictimBatchDto, listQuery: VictimListQueryDto,
 *             record: VictimRecordDto, page: VictimPageDto, pii: VictimPiiDto },
 *     filters: (q, where) => { if (q.sex) where((p) => `r.data->>'sex' = ${p}`, q.sex); },
 *   }) {}
 *
 * then list the controller in RecordsModule. The DTO classes come from the builders in record-kind-dtos.ts.
 * Response types are explicit (@ApiOkResponse), operationIds and summaries are set with @ApiOperation:
 * the swagger compiler plugin does not read this file.
 */
export interface RecordKindRoutes<TQuery extends RecordListQueryDto> {
  /** Route path under /v1 and OpenAPI tag, e.g. `victims`. */
  path: string;
  /**
   * Names in the operationIds: `put{one}`, `get{one}`, `withdraw{one}`, `list{one}Versions`, `list{many}`,
   * `submit{batch}Batch` (batch defaults to one).
   */
  names: { one: string; many: string; batch?: string };
  /** The kind in the summaries: "Creates or replaces the {noun} record…". */
  noun: string;
  /** The records in the list summary, default `{noun} records`. */
  listNoun?: string;
  /** Must equal the definition's readScope and writeScope (checked at start-up). */
  scopes: { read: Scope; write: Scope };
  /** Providers passed to `definition`, in order. */
  inject?: InjectionToken[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the injected providers, typed by the caller
  definition: (...deps: any[]) => RecordKindDefinition<any>;
  dtos: {
    /** Body of the PUT. */
    document: Type<object>;
    /** Body of the batch POST (see BatchDtoOf). */
    batch: Type<object>;
    /** Query of the list (extends RecordListQueryDto). */
    listQuery: Type<TQuery>;
    /** Response of PUT, GET and DELETE (see RecordDtoOf). */
    record: Type<object>;
    /** Response of the list (see RecordPageDtoOf). */
    page: Type<object>;
    /** The kind's personal-data DTO, described in the contract (the `pii` field refers to it by name). */
    pii: Type<object>;
  };
  /**
   * The list's filters: call `where(cond, value)` once per condition, `cond` receiving the SQL placeholder of
   * `value`. `r` is the record row; `r.data` its non-sensitive JSON. May throw a ProblemException (422).
   * `updatedSince` (common to every kind) is applied by the factory after these.
   */
  filters?: (q: TQuery, where: (cond: (placeholder: string) => string, value: unknown) => void) => void;
}

/** The common interface of the generated controllers. */
export interface RecordKindController {
  readonly def: RecordKindDefinition<object>;
}

/** Builds the controller class of a record kind (see RecordKindRoutes); extend it with a named class. */
export function recordKindController<TQuery extends RecordListQueryDto>(routes: RecordKindRoutes<TQuery>): Type<RecordKindController> {
  const { path, names, noun, scopes, dtos } = routes;
  const batchName = names.batch ?? names.one;

  @ApiTags(path)
  @ApiExtraModels(dtos.pii)
  @Controller(path)
  class GeneratedRecordKindController implements RecordKindController {
    readonly def: RecordKindDefinition<object>;

    constructor(
      private readonly records: RecordsService,
      ...deps: unknown[]
    ) {
      this.def = routes.definition(...deps) as RecordKindDefinition<object>;
      if (this.def.readScope !== scopes.read || this.def.writeScope !== scopes.write) {
        throw new Error(`record kind ${this.def.kind}: routes declare scopes ${scopes.read}/${scopes.write}, the definition ${this.def.readScope}/${this.def.writeScope}`);
      }
      this.records.register(this.def);
    }

    @Put(':localId')
    @Scopes(scopes.write)
    @ApiOperation({
      operationId: `put${names.one}`,
      summary: `Creates or replaces the ${noun} record \`localId\` (idempotent: identical content → \`unchanged\`, no new\nversion). \`If-Match\` makes the write conditional on the current ETag; \`If-None-Match: *\` on absence.`,
    })
    @ApiHeader({ name: 'If-Match', required: false })
    @ApiHeader({ name: 'If-None-Match', required: false })
    @ApiHeader({ name: 'X-Source-System', required: false, description: 'Provenance: the agency system the data comes from' })
    @ApiHeader({ name: 'X-Submission-Id', required: false, description: "Provenance: the caller's submission id" })
    @ApiOkResponse({ type: dtos.record, description: 'Updated or unchanged' })
    @ApiCreatedResponse({ type: dtos.record, description: 'Created' })
    async put(
      @CurrentActor() actor: Actor,
      @Param('localId') localId: string,
      @Body() body: object,
      @Req() req: FastifyRequest,
      @Res() reply: FastifyReply,
    ): Promise<void> {
      const { created, record } = await this.records.put(this.def, actor, localId, body, preconditionsOf(req.headers), provenanceOf(req.headers));
      sendRecord(reply, created ? 201 : 200, record);
    }

    @Post('batch')
    @HttpCode(200)
    @Scopes(scopes.write)
    @ApiOperation({
      operationId: `submit${batchName}Batch`,
      summary: `Submits up to 1,000 ${noun} records; one result per entry; \`atomic: true\` for all or nothing.`,
    })
    @ApiOkResponse({ type: BatchResultDto })
    batch(@CurrentActor() actor: Actor, @Body() body: object): Promise<BatchResultDto> {
      return this.records.batch(this.def, actor, body as Parameters<RecordsService['batch']>[2]);
    }

    @Get()
    @Scopes(scopes.read)
    @ApiOperation({
      operationId: `list${names.many}`,
      summary: `Lists the agency's ${routes.listNoun ?? `${noun} records`} by localId (withdrawn ones only with \`includeWithdrawn=true\`).`,
    })
    @ApiOkResponse({ type: dtos.page })
    async list(@CurrentActor() actor: Actor, @Query() q: RecordListQueryDto): Promise<unknown> {
      // Filters are collected (and checked) before the query runs; placeholders follow the service's own.
      const conditions: Array<{ cond: (placeholder: string) => string; value: unknown }> = [];
      routes.filters?.(q as TQuery, (cond, value) => conditions.push({ cond, value }));
      if (q.updatedSince) conditions.push({ cond: (p) => `r.updated_at >= ${p}::timestamptz`, value: q.updatedSince });
      return this.records.list(this.def, actor, q, (n) => ({
        sql: conditions.map((c, i) => c.cond(`$${n + i}`)),
        params: conditions.map((c) => c.value),
      }));
    }

    @Get(':localId')
    @Scopes(scopes.read)
    @ApiOperation({
      operationId: `get${names.one}`,
      summary: `Reads one ${noun} record (ETag; \`If-None-Match\` → 304). Personal data only with \`pii:read\`.`,
    })
    @ApiOkResponse({ type: dtos.record })
    @ApiNotModifiedResponse({ description: 'If-None-Match matched' })
    async get(@CurrentActor() actor: Actor, @Param('localId') localId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
      sendRecord(reply, 200, await this.records.get(this.def, actor, localId), header(req.headers, 'if-none-match'));
    }

    @Get(':localId/versions')
    @Scopes(scopes.read)
    @ApiOperation({
      operationId: `list${names.one}Versions`,
      summary: 'Every version of the record with provenance (client, time, source system, submission id, operation).',
    })
    @ApiOkResponse({ type: RecordVersionPageDto })
    versions(@CurrentActor() actor: Actor, @Param('localId') localId: string, @Query() q: PageQueryDto): Promise<RecordVersionPageDto> {
      return this.records.versions(this.def, actor, localId, q);
    }

    @Delete(':localId')
    @Scopes(scopes.write)
    @ApiOperation({
      operationId: `withdraw${names.one}`,
      summary: 'Withdraws the record with a reason code; it stays readable, flagged withdrawn, and the withdrawal is a version.',
    })
    @ApiHeader({ name: 'If-Match', required: false })
    @ApiOkResponse({ type: dtos.record })
    async withdraw(
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

  // The generic parameters above are emitted as Object: give validation and the contract the kind's classes.
  const proto = GeneratedRecordKindController.prototype;
  setParamType(proto, 'put', 2, dtos.document);
  setParamType(proto, 'batch', 1, dtos.batch);
  setParamType(proto, 'list', 1, dtos.listQuery);
  // Constructor: RecordsService, then the injected providers.
  const inject = routes.inject ?? [];
  Reflect.defineMetadata('design:paramtypes', [RecordsService, ...inject.map(() => Object)], GeneratedRecordKindController);
  inject.forEach((token, i) => Inject(token)(GeneratedRecordKindController, undefined, i + 1));
  return GeneratedRecordKindController;
}

function setParamType(proto: object, method: string, index: number, type: Type<unknown>): void {
  const types = [...((Reflect.getMetadata('design:paramtypes', proto, method) as unknown[] | undefined) ?? [])];
  types[index] = type;
  Reflect.defineMetadata('design:paramtypes', types, proto, method);
}
