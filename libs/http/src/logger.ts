import type { LoggerService } from '@nestjs/common';
import pino, { type Logger as PinoLogger, type LoggerOptions } from 'pino';

/**
 * Structured JSON logs (pino), shared by Fastify's request logging and Nest's Logger.
 * What is logged about a request is only method, path (never the query string), status, timing and
 * request id; bodies, headers with credentials and personal data are never logged.
 */
export function createRootLogger(level: string, destination?: pino.DestinationStream): PinoLogger {
  const options: LoggerOptions = {
    level,
    base: { service: 'puente' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.client_secret',
        '*.password',
        '*.access_token',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string; id?: unknown }) => ({ method: req.method, path: String(req.url).split('?')[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: pino.stdSerializers.err,
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Adapts pino to Nest's LoggerService. Object messages are merged into the log line. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: PinoLogger) {}
  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, params: unknown[]) {
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const child = context ? this.root.child({ context }) : this.root;
    if (message && typeof message === 'object') {
      const msg = typeof params[0] === 'string' ? (params[0] as string) : undefined;
      child[level](message as object, msg);
    } else {
      child[level](String(message));
    }
  }
  log(message: unknown, ...params: unknown[]) {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    // Nest passes (message, stack, context); keep the stack as a field.
    if (typeof params[0] === 'string' && params.length > 1 && params[0].includes('\n')) {
      const stack = params.shift();
      this.write('error', { msg: String(message), stack }, params);
      return;
    }
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
}
