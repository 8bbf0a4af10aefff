import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { openDatabaseRuntime, runMigrations } from '@app/db';
import { createRootLogger } from '@app/http';
import { createApp } from './configure-app';

async function bootstrap(): Promise<void> {
  const started = Date.now();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee README.md, section "Configuration".\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createRootLogger(config.logLevel);
  // A rejected promise nobody awaited (e.g. a job-queue client losing its connection during a database
  // restart) is logged, not allowed to kill the process: the service keeps answering (503 meanwhile).
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: { message: reason instanceof Error ? reason.message : String(reason) } }, 'unhandled promise rejection');
  });
  const db = await openDatabaseRuntime(config, (m) => logger.info(m));
  const applied = await runMigrations(db.url);
  if (applied.length) logger.info({ migrations: applied }, `applied ${applied.length} migration(s)`);
  const app = await createApp({ ...config, databaseUrl: db.url }, { logger });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out after 10 s; exiting');
      process.exit(1);
    }, 10_000);
    timer.unref();
    try {
      await app.close();
      await db.stop();
      logger.info('stopped');
      logger.flush?.();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  logger.info(
    { url: await app.getUrl(), startupMs: Date.now() - started, embeddedDatabase: db.embedded },
    `Puente API listening on ${await app.getUrl()} (docs at /docs)`,
  );
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
