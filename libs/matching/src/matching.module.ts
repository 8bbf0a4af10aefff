import { Module, type OnModuleInit } from '@nestjs/common';
import { JobsService } from '@app/jobs';
import { MetricsService } from '@app/metrics';
import { RecordsModule, RecordsService, RetentionService } from '@app/records';
import { MATCHING_OPS_QUEUE, MATCHING_QUEUE, MatchingEngineService } from './matching-engine.service';
import { MatchesController, VictimPersonController } from './matches.controller';
import { MatchingRebuildService } from './matching-rebuild.service';
import { MATCHING_RECLUSTER_QUEUE, MatchesService } from './matches.service';
import { ClkMatcherService } from './clk/clk-matcher.service';

/**
 * Deduplication of victim records across agencies: the matching engine (job worker), review tasks,
 * reviewer decisions, person clusters. Hooks into RecordsService so every written or withdrawn victim
 * record enqueues a `matching.victim-changed` job in its own write transaction.
 */
@Module({
  imports: [RecordsModule],
  controllers: [MatchesController, VictimPersonController],
  providers: [MatchingEngineService, MatchingRebuildService, MatchesService, ClkMatcherService],
  exports: [MatchingEngineService, MatchingRebuildService, MatchesService, ClkMatcherService],
})
export class MatchingModule implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly records: RecordsService,
    private readonly engine: MatchingEngineService,
    private readonly metrics: MetricsService,
    private readonly retention: RetentionService,
    private readonly clk: ClkMatcherService,
  ) {}

  async onModuleInit(): Promise<void> {
    // When personal data is purged after its retention period, the matching profile and blocking keys
    // derived from it go too (links already made stay, as pseudonymous person ids).
    this.retention.onPurge(async (em, recordIds) => {
      await em.query('DELETE FROM match_keys WHERE record_id = ANY($1::uuid[])', [recordIds]);
      await em.query('DELETE FROM match_profiles WHERE record_id = ANY($1::uuid[])', [recordIds]);
      // CLK path (libs/matching/src/clk): the encodings go with the personal data.
      await em.query('DELETE FROM match_clk_keys WHERE record_id = ANY($1::uuid[])', [recordIds]);
      await em.query('DELETE FROM match_clks WHERE record_id = ANY($1::uuid[])', [recordIds]);
    });
    this.engine.registerExtension(this.clk); // privacy-preserving CLK matching (libs/matching/src/clk)
    this.records.onWritten(async (em, _agencyId, kind, recordIds) => {
      if (kind === 'victims' && recordIds.length) await this.jobs.send(MATCHING_QUEUE, { recordIds }, { em });
    });
    await this.jobs.register<{ recordIds: string[] }>(
      MATCHING_QUEUE,
      async (batch) => {
        // A job carries the records of one write (up to 1,000): process them in slices so the candidate
        // pairs held in memory stay bounded (each record can bring up to 6 blocks × MAX_BLOCK candidates).
        const ids = [...new Set(batch.flatMap((j) => j.data.recordIds ?? []))];
        for (let i = 0; i < ids.length; i += 100) await this.engine.processRecords(ids.slice(i, i + 100));
      },
      { batchSize: 5, pollingIntervalSeconds: 0.5 },
    );
    await this.jobs.register<{ recordIds: string[] }>(
      MATCHING_RECLUSTER_QUEUE,
      async (batch) => {
        await this.engine.reclusterRecords(batch.flatMap((j) => j.data.recordIds ?? []));
      },
      { batchSize: 20, pollingIntervalSeconds: 0.5 },
    );
    await this.jobs.register<{ opId: string }>(
      MATCHING_OPS_QUEUE,
      async (batch) => {
        for (const j of batch) await this.engine.applyClusterOp(j.data.opId);
      },
      { batchSize: 5, pollingIntervalSeconds: 0.5 },
    );
    this.metrics.gauge('puente_matching_reviews_pending', 'Match review tasks waiting for a reviewer', [], async (set) => {
      set({}, await this.engine.pendingReviews());
    });
  }
}
