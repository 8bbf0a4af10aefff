import type { PuenteClient } from '@app/client';

export interface FeedItem {
  kind: string;
  localId: string;
  version: number;
  op: string;
}

/**
 * Reads the agency's change feed (`GET /v1/changes`, up to 1,000 items) until `done` holds. The feed only
 * shows transactions older than the oldest one still running anywhere on the server — other test files
 * share the server — so the latest writes may take a moment to appear: poll, bounded (then the last read
 * is returned and the test's own assertion reports what is missing).
 */
export async function changesUntil(api: PuenteClient, done: (items: FeedItem[]) => boolean, timeoutMs = 30_000): Promise<FeedItem[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await api.GET('/v1/changes', { params: { query: { limit: 1000 } } });
    const items = (page.data?.items ?? []) as FeedItem[];
    if (done(items) || Date.now() > deadline) return items;
    await new Promise((r) => setTimeout(r, 100));
  }
}
