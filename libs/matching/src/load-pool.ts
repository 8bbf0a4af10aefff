import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FieldCipher } from '@app/crypto';
import { workerHeapLimitMb, workerScript } from './engine';
import { type LoadRow, type PreparedBatch, prepareBatch } from './load-worker';

/**
 * Worker threads for the rebuild's load phase (`prepareBatch`: decrypt, profile, encrypt, hash). `prepare`
 * splits a page of records into one part per thread and returns the parts in order. With one thread, or
 * without a loadable worker script, the work is done in this thread.
 */
export class LoadPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (b: PreparedBatch) => void; reject: (e: Error) => void }>();
  private seq = 0;
  readonly threads: number;

  constructor(
    private readonly cipher: FieldCipher,
    threads?: number,
  ) {
    const wanted = Math.max(1, Math.min(threads ?? availableParallelism(), 16));
    const script = wanted > 1 ? workerScript(__dirname, 'load-worker') : null;
    if (script) {
      for (let i = 0; i < wanted; i++) {
        const w = new Worker(script.file, {
          workerData: { kind: 'matching-load', cipher: cipher.forWorkerThread() },
          execArgv: script.execArgv,
          resourceLimits: { maxOldGenerationSizeMb: workerHeapLimitMb() },
        });
        w.on('message', (m: { seq: number; batch: PreparedBatch }) => {
          this.waiting.get(m.seq)?.resolve(m.batch);
          this.waiting.delete(m.seq);
        });
        w.on('error', (e) => this.failAll(e));
        w.on('exit', (code) => code !== 0 && this.failAll(new Error(`matching load worker exited with code ${code}`)));
        this.workers.push(w);
      }
    }
    this.threads = this.workers.length || 1;
  }

  async prepare(rows: LoadRow[]): Promise<PreparedBatch[]> {
    if (!this.workers.length) return [prepareBatch(this.cipher, rows)];
    const part = Math.ceil(rows.length / this.workers.length);
    return Promise.all(
      this.workers.map(
        (w, i) =>
          new Promise<PreparedBatch>((resolve, reject) => {
            const seq = this.seq++;
            this.waiting.set(seq, { resolve, reject });
            w.postMessage({ seq, rows: rows.slice(i * part, (i + 1) * part) });
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}
