import { Readable } from 'node:stream';
import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import { PageQueryDto, ProblemException } from '@app/http';
import {
  ImportErrorPageDto,
  ImportErrorsQueryDto,
  ImportIdDto,
  ImportJobDto,
  ImportProfileBodyDto,
  ImportProfileDto,
  ImportProfileNameDto,
  ImportProfilePageDto,
} from './imports.dto';
import { ImportsService } from './imports.service';
import { RecordKinds } from './record-kinds';
import { TemplatesService } from './templates.service';

interface MultipartPart {
  type: 'file' | 'field';
  fieldname: string;
  value?: unknown;
  filename?: string;
  mimetype?: string;
  file?: AsyncIterable<Buffer> & { truncated?: boolean };
}

const tooLarge = (err: unknown) => (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' || (err as { statusCode?: number }).statusCode === 413;

@ApiTags('imports')
@Controller('imports')
export class ImportsController {
  constructor(
    private readonly imports: ImportsService,
    private readonly templates: TemplatesService,
    private readonly kinds: RecordKinds,
  ) {}

  /**
   * Uploads a CSV or XLSX file (multipart/form-data, up to 100 MB) and starts its import as a background
   * job. Send the fields `kind`, `profile` (a saved profile's name or an inline profile as JSON; absent =
   * template headers) and `dryRun` before the `file` part. Follow the job with GET /v1/imports/{id}.
   */
  @Post()
  @HttpCode(202)
  @Scopes('imports:write')
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['kind', 'file'],
      properties: {
        kind: { type: 'string', example: 'victims' },
        profile: { type: 'string', description: 'Name of a saved mapping profile, or an inline profile (JSON)' },
        dryRun: { type: 'boolean', default: false },
        file: { type: 'string', format: 'binary', description: '.csv or .xlsx; must be the last part' },
      },
    },
  })
  @ApiAcceptedResponse({ type: ImportJobDto })
  async createImport(@CurrentActor() actor: Actor, @Req() req: FastifyRequest): Promise<ImportJobDto> {
    const mp = req as unknown as { isMultipart?: () => boolean; parts?: () => AsyncIterable<MultipartPart> };
    if (!mp.isMultipart?.()) throw new ProblemException(415, 'unsupported-media-type', { detail: 'Send the file as multipart/form-data' });
    const fields: Record<string, unknown> = {};
    try {
      for await (const part of mp.parts!()) {
        if (part.type === 'field') {
          fields[part.fieldname] = part.value;
          continue;
        }
        if (part.fieldname !== 'file') throw ProblemException.validation([{ pointer: '#/file', detail: `unexpected file part ${part.fieldname}; name it file`, rule: 'file' }]);
        return await this.imports.create(actor, fields, { filename: part.filename ?? 'upload', mimetype: part.mimetype, stream: part.file! }, { requestId: req.id });
      }
    } catch (err) {
      if (tooLarge(err)) throw new ProblemException(413, 'payload-too-large', { detail: 'The file exceeds the upload limit (100 MB)' });
      throw err;
    }
    throw ProblemException.validation([{ pointer: '#/file', detail: 'the file part is missing', rule: 'required' }]);
  }

  /** The agency's mapping profiles, by name. */
  @Get('profiles')
  @Scopes('imports:write')
  listImportProfiles(@CurrentActor() actor: Actor, @Query() q: PageQueryDto): Promise<ImportProfilePageDto> {
    return this.imports.listProfiles(actor, q);
  }

  /** Creates or replaces the mapping profile `name` of the agency. */
  @Put('profiles/:name')
  @Scopes('imports:write')
  @ApiOkResponse({ type: ImportProfileDto, description: 'Replaced' })
  @ApiCreatedResponse({ type: ImportProfileDto, description: 'Created' })
  async putImportProfile(
    @CurrentActor() actor: Actor,
    @Param() p: ImportProfileNameDto,
    @Body() body: ImportProfileBodyDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportProfileDto> {
    const { created, profile } = await this.imports.putProfile(actor, p.name, body);
    void reply.status(created ? 201 : 200);
    return profile;
  }

  /** Reads the mapping profile `name` of the agency. */
  @Get('profiles/:name')
  @Scopes('imports:write')
  getImportProfile(@CurrentActor() actor: Actor, @Param() p: ImportProfileNameDto): Promise<ImportProfileDto> {
    return this.imports.getProfile(actor, p.name);
  }

  /** XLSX template of a record kind: Spanish and English header rows, an example row, drop-downs of catalog codes. */
  @Get('templates/:kind.xlsx')
  @Scopes('imports:write')
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOkResponse({ description: 'XLSX workbook', content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } } } })
  async getImportTemplateXlsx(@Param('kind') kind: string, @Res() reply: FastifyReply): Promise<void> {
    const def = this.kinds.get(kind);
    const body = await this.templates.xlsx(def);
    void reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="puente-${def.kind}.xlsx"`)
      .send(body);
  }

  /** CSV template of a record kind (UTF-8 with BOM): Spanish and English header rows and an example row. */
  @Get('templates/:kind.csv')
  @Scopes('imports:write')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV template', content: { 'text/csv': { schema: { type: 'string' } } } })
  getImportTemplateCsv(@Param('kind') kind: string, @Res() reply: FastifyReply): void {
    const def = this.kinds.get(kind);
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="puente-${def.kind}.csv"`).send(this.templates.csv(def));
  }

  /** Status and progress of an import (rows read, accepted, rejected, percentage, estimated seconds left). */
  @Get(':id')
  @Scopes('imports:write')
  getImport(@CurrentActor() actor: Actor, @Param() p: ImportIdDto): Promise<ImportJobDto> {
    return this.imports.get(actor, p.id);
  }

  /** Rejected rows of an import: row number, column, value, reason. JSON pages, or `?format=csv` for all of them. */
  @Get(':id/errors')
  @Scopes('imports:write')
  @ApiOkResponse({ type: ImportErrorPageDto, content: { 'application/json': { schema: { $ref: '#/components/schemas/ImportErrorPageDto' } }, 'text/csv': { schema: { type: 'string' } } } })
  async listImportErrors(@CurrentActor() actor: Actor, @Param() p: ImportIdDto, @Query() q: ImportErrorsQueryDto, @Res() reply: FastifyReply): Promise<void> {
    if (q.format === 'csv') {
      const gen = this.imports.errorsCsv(actor, p.id);
      const first = await gen.next(); // 404 before the headers go out
      const rest = Readable.from((async function* () {
        if (!first.done) yield first.value;
        yield* gen;
      })());
      void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="import-${p.id}-errors.csv"`).send(rest);
      return;
    }
    void reply.send(await this.imports.errors(actor, p.id, q));
  }
}
