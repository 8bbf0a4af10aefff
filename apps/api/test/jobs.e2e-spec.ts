import { DataSource } from 'typeorm';
import { JobsService } from '@app/jobs';
import { startTestApp, type TestApp } from '@app/testing';

describe('job queue (pg-boss in PostgreSQL)', () => {
  let t: TestApp;
  let jobs: JobsService;
  const seen: string[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    jobs = t.app.get(JobsService);
    await jobs.register<{ n: string }>('test-echo', async (batch) => {
      for (const j of batch) seen.push(j.data.n);
    }, { pollingIntervalSeconds: 0.5 });
  });
  afterAll(() => t.close());

  it('processes a job enqueued outside a transaction', async () => {
    await jobs.send('test-echo', { n: 'plain' });
    await jobs.drain('test-echo');
    expect(seen).toContain('plain');
  });

  it('creates a job inside a transaction only if the transaction commits', async () => {
    const ds = t.app.get(DataSource);
    await ds.transaction((em) => jobs.send('test-echo', { n: 'committed' }, { em }));
    await expect(
      ds.transaction(async (em) => {
        await jobs.send('test-echo', { n: 'rolled-back' }, { em });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await jobs.drain('test-echo');
    expect(seen).toContain('committed');
    expect(seen).not.toContain('rolled-back');
  });

  it('reports queue depth and age for the metrics', async () => {
    expect(await jobs.depth('test-echo')).toBe(0);
    expect(await jobs.oldestAgeSeconds('test-echo')).toBe(0);
  });
});
