import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@app/config';
import { createRootLogger } from '@app/http';
import { createApp } from '../../../apps/api/src/configure-app';
import { createTestDatabase, type TestDatabase } from './test-database';
import { sensitiveFindings } from './log-hygiene';

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  db: TestDatabase;
  /** Every log line the app wrote, parsed. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * Boots the real application (same createApp/configureApp as main.ts) on a fresh database cloned from
 * the template, listening on an ephemeral loopback port.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const config = loadConfig({
    LOG_LEVEL: 'info',
    RATE_LIMIT_PER_MINUTE: '1000000',
    // Fresh keys per app: nothing depends on a developer's .data directory.
    FIELD_ENCRYPTION_KEYS: `test1:${randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    ...env,
  });
  const app = await createApp({ ...config, databaseUrl: db.url }, { logger: createRootLogger(config.logLevel, sink) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    app,
    baseUrl,
    db,
    logs,
    close: async () => {
      await app.close();
      await db.drop();
      const findings = sensitiveFindings(logs);
      if (findings.length) throw new Error(`Personal data in the logs:\n  ${[...new Set(findings)].join('\n  ')}`);
    },
  };
}
