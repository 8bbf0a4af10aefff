import type { EntityManager } from 'typeorm';

/**
 * Extension point of MatchingEngineService used by the privacy-preserving CLK path
 * (libs/matching/src/clk/clk-matcher.service.ts). Both calls run inside the engine's locked system
 * transaction.
 */
export interface MatchingEngineExtension {
  /** After the engine stored the pairs and review tasks of the changed records, before re-clustering. */
  afterCompare(em: EntityManager, recordIds: string[]): Promise<void>;
  /** Records among `recordIds` that take part in clustering although they may have no match profile. */
  activeRecords(em: EntityManager, recordIds: string[]): Promise<Array<{ record_id: string; agency_id: string }>>;
}
