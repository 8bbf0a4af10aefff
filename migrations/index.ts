import { FoundationAndAuth1763900000000 } from './1763900000000-foundation-and-auth';
import { Catalogs1763900100000 } from './1763900100000-catalogs';
import { Records1763900200000 } from './1763900200000-records';
import { AuditLog1763900300000 } from './1763900300000-audit-log';
import { JobQueue1763900400000 } from './1763900400000-job-queue';
import { ReferralsWebhooks1763901000000 } from './1763901000000-referrals-webhooks';
import { Matching1763907000000 } from './1763907000000-matching';
import { Imports1763908600000 } from './1763908600000-imports';
import { AccusedJudicialOutcomes1763909100000 } from './1763909100000-accused-judicial-outcomes';
import { Retention1763909500000 } from './1763909500000-retention';
import { ReferralAgreement1764907000000 } from './1764907000000-referral-agreement';
import { ReferralOverdue1764908000000 } from './1764908000000-referral-overdue';
import { StatisticsRollups1764909000000 } from './1764909000000-statistics-rollups';
import { ClkMatching1764902000000 } from './1764902000000-clk-matching';
import { Assistance1764903000000 } from './1764903000000-assistance';
import { StatisticsSummaries1764904000000 } from './1764904000000-statistics-summaries';
import { MatchingTermCounts1764901000000 } from './1764901000000-matching-term-counts';
import { CountingUnits1764910500000 } from './1764910500000-counting-units';
import { MatchingSamePerson1764911200000 } from './1764911200000-matching-same-person';
import { MatchReviewsRecordB1764912000000 } from './1764912000000-match-reviews-record-b';
import { MatchKeysWithoutFk1764912100000 } from './1764912100000-match-keys-without-fk';

/**
 * Every migration, in order. Listed explicitly so the compiled service, the CLI and the tests load the
 * same set without file globs. Add new migrations at the end.
 */
export const MIGRATIONS: Function[] = [FoundationAndAuth1763900000000, Catalogs1763900100000, Records1763900200000, AuditLog1763900300000, JobQueue1763900400000, ReferralsWebhooks1763901000000, Matching1763907000000, Imports1763908600000, AccusedJudicialOutcomes1763909100000, Retention1763909500000, MatchingTermCounts1764901000000, ClkMatching1764902000000, Assistance1764903000000, StatisticsSummaries1764904000000, ReferralAgreement1764907000000, ReferralOverdue1764908000000, StatisticsRollups1764909000000, CountingUnits1764910500000, MatchingSamePerson1764911200000, MatchReviewsRecordB1764912000000, MatchKeysWithoutFk1764912100000];
