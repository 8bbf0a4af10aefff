import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@app/config';
import { openDatabaseRuntime, runMigrations } from '@app/db';
import { createRootLogger } from '@app/http';
import { buildOpenApiDocument, createApp } from './configure-app';
import { CONTRACT_PATH, assertUniqueOperationIds, serialiseContract } from './openapi-file';

/** Writes openapi/openapi.json from the compiled controllers (run from dist, so plugin metadata is present). */
async function main(): Promise<void> {
  const base = loadConfig();
  const tmp = base.databaseUrl ? undefined : mkdtempSync(join(tmpdir(), 'puente-openapi-'));
  const config = { ...base, logLevel: 'silent' as const, embeddedDataDir: tmp ?? base.embeddedDataDir, embeddedPort: 54000 + (process.pid % 1000) };
  const db = await openDatabaseRuntime(config, () => undefined);
  try {
    await runMigrations(db.url);
    const app = await createApp({ ...config, databaseUrl: db.url }, { logger: createRootLogger('silent') });
    await app.init();
    const document = buildOpenApiDocument(app);
    assertUniqueOperationIds(document);
    writeFileSync(CONTRACT_PATH, serialiseContract(document));
    await app.close();
    process.stdout.write(`wrote ${CONTRACT_PATH} (${Object.keys(document.paths).length} paths)\n`);
  } finally {
    await db.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
