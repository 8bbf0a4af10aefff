import { Agent, request } from 'node:http';

/**
 * Closed-loop HTTP load generator, run in its own process so it does not share the server's event loop:
 * `concurrency` loops each send the next request as soon as the previous one answers, for `seconds`.
 * Prints one JSON line: requests, errors, requests/s and exact latency percentiles (ms).
 */
interface LoadSpec {
  baseUrl: string;
  paths: string[];
  headers: Record<string, string>;
  concurrency: number;
  seconds: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as LoadSpec;
  const url = new URL(spec.baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const deadline = Date.now() + spec.seconds * 1000;
  const one = (path: string) =>
    new Promise<number>((resolve) => {
      const started = process.hrtime.bigint();
      const req = request({ host: url.hostname, port: url.port, path, agent, headers: spec.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) errors++;
          resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
      });
      req.on('error', () => {
        errors++;
        resolve(Number(process.hrtime.bigint() - started) / 1e6);
      });
      req.end();
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      while (Date.now() < deadline) latencies.push(await one(spec.paths[next++ % spec.paths.length]));
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  agent.destroy();
  process.stdout.write(JSON.stringify({ requests: latencies.length, errors, rps: latencies.length / elapsed, p50: pct(50), p95: pct(95), p99: pct(99) }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(String(err));
  process.exit(1);
});
