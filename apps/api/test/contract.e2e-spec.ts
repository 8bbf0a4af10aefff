import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../src/configure-app';
import { CONTRACT_PATH, assertUniqueOperationIds, serialiseContract } from '../src/openapi-file';
import { startTestApp, type TestApp } from '@app/testing';

describe('OpenAPI contract', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('the committed openapi/openapi.json equals what the code generates (run `npm run openapi`)', () => {
    const document = buildOpenApiDocument(t.app);
    assertUniqueOperationIds(document);
    const committed = readFileSync(join(__dirname, '../../..', CONTRACT_PATH), 'utf8');
    expect(serialiseContract(document)).toBe(committed);
  });
});
