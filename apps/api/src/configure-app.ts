import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import multipart from '@fastify/multipart';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { LogController } from 'fastify';
import type { Logger as PinoLogger } from 'pino';
import { FieldErrorDto, PinoNestLogger, ProblemDto, ProblemFilter, createRootLogger, createValidationPipe, frameworkErrorProblem } from '@app/http';
import { AppModule, type ResolvedConfig } from './app.module';

/** Contract version: changes only when the API changes, not with package releases. */
export const CONTRACT_VERSION = '0.1.0';

/** Routes served outside the `/v1` prefix. */
export const UNVERSIONED = ['health', 'metrics', 'oauth/token', '.well-known/jwks.json'];

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export interface CreateAppOptions {
  logger?: PinoLogger;
}

/** Creates the Nest application on Fastify with the process-wide settings (body limit, logs, request ids). */
export async function createApp(config: ResolvedConfig, opts: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const logger = opts.logger ?? createRootLogger(config.logLevel);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimit,
    loggerInstance: logger,
    // Request lines are written once, on response, by configureApp's onResponse hook.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    trustProxy: true,
    // localIds are up to 128 characters (Fastify's default limit is 100); malformed URLs get a problem document.
    routerOptions: { maxParamLength: 256 },
    frameworkErrors: frameworkErrorProblem(`${config.publicUrl}/problems`),
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
  return configureApp(app, config);
}

/** The one place that applies routing, validation, errors and docs; used by main.ts, the tests and the export. */
export function configureApp(app: NestFastifyApplication, config: ResolvedConfig): NestFastifyApplication {
  const fastify = app.getHttpAdapter().getInstance();
  // Bulk imports (libs/imports) stream multipart uploads; nothing is buffered whole.
  void fastify.register(multipart, { limits: { fileSize: 100 * 1024 * 1024, files: 1, fields: 10, fieldSize: 1024 * 1024 } });
  fastify.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  fastify.addHook('onResponse', async (req, reply) => {
    req.log.info({ req, res: reply, ms: Math.round(reply.elapsedTime) }, 'request completed');
  });
  app.setGlobalPrefix('v1', { exclude: UNVERSIONED });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter(`${config.publicUrl}/problems`));
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: 'Puente API',
  });
  return app;
}

/** Builds the OpenAPI document from the controllers; `security: []` on public operations. */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Puente API')
    .setDescription(
      'Interagency data exchange for human-trafficking victim and case records (Mexico). ' +
        'Errors are RFC 9457 problem details (`application/problem+json`). ' +
        'Authenticate with an OAuth 2.0 client-credentials token from `POST /oauth/token`.',
    )
    .setVersion(CONTRACT_VERSION)
    .addServer('/', 'This server')
    .addTag('health', 'Liveness and readiness')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controllerKey: string, methodKey: string) => methodKey,
    extraModels: [ProblemDto, FieldErrorDto],
  });
  return normaliseDocument(document);
}

type Operation = { security?: unknown[]; responses?: Record<string, unknown>; 'x-public'?: boolean };

function normaliseDocument(document: OpenAPIObject): OpenAPIObject {
  // Declare every tag the operations use (sorted), so the contract lists them.
  const used = new Set<string>();
  for (const pathItem of Object.values(document.paths)) {
    for (const op of Object.values(pathItem as Record<string, { tags?: string[] }>)) for (const t of op?.tags ?? []) used.add(t);
  }
  const described = new Map((document.tags ?? []).map((t) => [t.name, t]));
  document.tags = [...used].sort().map((name) => described.get(name) ?? { name });
  for (const pathItem of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const) {
      const op = (pathItem as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      op.security = op['x-public'] ? [] : [{ bearer: [] }];
      op.responses ??= {};
      // Error responses are problem documents: declare them with their real media type.
      for (const response of Object.values(op.responses) as Array<{ content?: Record<string, { schema?: { $ref?: string } }> }>) {
        const json = response.content?.['application/json'];
        if (json?.schema?.$ref === '#/components/schemas/ProblemDto') response.content = { 'application/problem+json': json };
      }
      op.responses.default ??= {
        description: 'Error (RFC 9457 problem details)',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } },
      };
    }
  }
  return document;
}

export { NestFactory };
