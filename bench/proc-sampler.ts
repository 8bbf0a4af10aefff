import { readFileSync } from 'node:fs';

/**
 * Memory of another process (the API child): RSS from /proc/<pid>/status (Linux), V8 heap from the API's
 * own GET /metrics (prom-client default metrics, prefix puente_). Used by bench:import and soak.
 */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export async function heapOf(apiUrl: string): Promise<{ heapUsed: number; heapTotal: number; external: number } | undefined> {
  try {
    const text = await (await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
    const pick = (name: string) => {
      const m = new RegExp(`^puente_${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text);
      return m ? Number(m[1]) : 0;
    };
    return { heapUsed: pick('nodejs_heap_size_used_bytes'), heapTotal: pick('nodejs_heap_size_total_bytes'), external: pick('nodejs_external_memory_bytes') };
  } catch {
    return undefined;
  }
}

export const mib = (b: number): number => Math.round((b / 1048576) * 10) / 10;

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function median(xs: number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}
