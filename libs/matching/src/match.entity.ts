import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { RecordEntity } from '../../records/src/record.entity';

/** Comparison profile of a victim record (normalised names, dates, sex, CURP), AES-256-GCM encrypted. */
@Entity('match_profiles')
@Index('ix_match_profiles_agency_record', ['agencyId', 'recordId'])
export class MatchProfileEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_match_profiles' })
  recordId!: string;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_id', foreignKeyConstraintName: 'fk_match_profiles_record_id' })
  record?: RecordEntity;

  @Column({ type: 'uuid' })
  agencyId!: string;

  @Column({ type: 'text' })
  profileEnc!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/**
 * A blocking key of a record, as a keyed hash (HMAC, purpose `match:<type>`); never plaintext. No foreign key
 * (checked per row, it dominated bulk loads): keys are written with their record's profile, and deleting the
 * profile deletes them (trigger `trg_match_profiles_delete_keys`, migration 1764912100000).
 */
@Entity('match_keys')
@Index('ix_match_keys_agency_record', ['agencyId', 'recordId'])
@Index('ix_match_keys_hash', ['keyHash'])
export class MatchKeyEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_match_keys' })
  recordId!: string;

  @PrimaryColumn({ type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_match_keys' })
  keyType!: string;

  @PrimaryColumn({ type: 'char', length: 64, primaryKeyConstraintName: 'pk_match_keys' })
  keyHash!: string;

  @Column({ type: 'uuid' })
  agencyId!: string;
}

/**
 * A compared candidate pair (record_a < record_b) whose weight reached the review band or above, with
 * its comparison vector, weight and automatic outcome (pairs below the lower threshold are only counted).
 */
@Entity('match_pairs')
@Index('ix_match_pairs_record_b', ['recordB'])
@Index('ix_match_pairs_outcome', ['outcome'])
export class MatchPairEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_match_pairs' })
  recordA!: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_match_pairs' })
  recordB!: string;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_a', foreignKeyConstraintName: 'fk_match_pairs_record_a' })
  a?: RecordEntity;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_b', foreignKeyConstraintName: 'fk_match_pairs_record_b' })
  b?: RecordEntity;

  @Column({ type: 'uuid' })
  agencyA!: string;

  @Column({ type: 'uuid' })
  agencyB!: string;

  @Column({ type: 'numeric', precision: 7, scale: 2 })
  score!: string;

  /** Agreement level per field. */
  @Column({ type: 'jsonb' })
  levels!: Record<string, string>;

  /** `link`, `review` or `none`. */
  @Column({ type: 'varchar', length: 10 })
  outcome!: string;

  @Column({ type: 'varchar', length: 40 })
  modelVersion!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  comparedAt!: Date;
}

/** A review task: a pair scored between the thresholds, shown to reviewers of both agencies. */
@Entity('match_reviews')
@Unique('uq_match_reviews_pair', ['recordA', 'recordB'])
@Index('ix_match_reviews_agency_a', ['agencyA', 'status', 'createdAt', 'id'])
@Index('ix_match_reviews_agency_b', ['agencyB', 'status', 'createdAt', 'id'])
@Index('ix_match_reviews_record_b', ['recordB'])
export class MatchReviewEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_match_reviews' })
  id!: string;

  @Column({ type: 'uuid' })
  recordA!: string;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_a', foreignKeyConstraintName: 'fk_match_reviews_record_a' })
  a?: RecordEntity;

  @Column({ type: 'uuid' })
  recordB!: string;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_b', foreignKeyConstraintName: 'fk_match_reviews_record_b' })
  b?: RecordEntity;

  @Column({ type: 'uuid' })
  agencyA!: string;

  @Column({ type: 'uuid' })
  agencyB!: string;

  @Column({ type: 'varchar', length: 64 })
  agencyACode!: string;

  @Column({ type: 'varchar', length: 64 })
  agencyBCode!: string;

  @Column({ type: 'numeric', precision: 7, scale: 2 })
  score!: string;

  @Column({ type: 'jsonb' })
  levels!: Record<string, string>;

  /** `pending`, `decided` or `superseded` (the pair left the review band before a decision). */
  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  decision!: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

/** A reviewer decision on a pair; automatic runs never override it. */
@Entity('match_decisions')
@Index('ix_match_decisions_record_b', ['recordB'])
export class MatchDecisionEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_match_decisions' })
  recordA!: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_match_decisions' })
  recordB!: string;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_a', foreignKeyConstraintName: 'fk_match_decisions_record_a' })
  a?: RecordEntity;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_b', foreignKeyConstraintName: 'fk_match_decisions_record_b' })
  b?: RecordEntity;

  @Column({ type: 'uuid' })
  agencyA!: string;

  @Column({ type: 'uuid' })
  agencyB!: string;

  /** `same_person` or `different_persons`. */
  @Column({ type: 'varchar', length: 20 })
  decision!: string;

  /** Agency of the reviewer. */
  @Column({ type: 'uuid' })
  agencyId!: string;

  @Column({ type: 'text' })
  clientId!: string;

  @Column({ type: 'text' })
  reason!: string;

  /** `review`, `split` or `merge`. */
  @Column({ type: 'varchar', length: 20 })
  source!: string;

  @Column({ type: 'uuid', nullable: true })
  reviewId!: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  decidedAt!: Date;
}

/** A person cluster: a pseudonymous id, nothing else. */
@Entity('persons')
export class PersonEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_persons' })
  personId!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}

/** The cluster of each profiled victim record. */
@Entity('person_links')
@Index('ix_person_links_agency_person', ['agencyId', 'personId'])
@Index('ix_person_links_person', ['personId'])
export class PersonLinkEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_person_links' })
  recordId!: string;

  @ManyToOne(() => RecordEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'record_id', foreignKeyConstraintName: 'fk_person_links_record_id' })
  record?: RecordEntity;

  @Column({ type: 'uuid' })
  agencyId!: string;

  @Column({ type: 'uuid' })
  personId!: string;

  @ManyToOne(() => PersonEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'person_id', foreignKeyConstraintName: 'fk_person_links_person' })
  person?: PersonEntity;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  linkedAt!: Date;
}

/** A reviewer's split or merge of clusters, applied by the matching worker. */
@Entity('match_cluster_ops')
@Index('ix_match_cluster_ops_agency_created', ['agencyId', 'createdAt'])
export class MatchClusterOpEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_match_cluster_ops' })
  id!: string;

  @Column({ type: 'uuid' })
  agencyId!: string;

  /** `split` or `merge`. */
  @Column({ type: 'varchar', length: 10 })
  op!: string;

  @Column({ type: 'uuid' })
  personId!: string;

  @Column({ type: 'uuid', nullable: true })
  otherPersonId!: string | null;

  /** The reviewer agency's records the operation names. */
  @Column({ type: 'uuid', array: true })
  recordIds!: string[];

  @Column({ type: 'text' })
  clientId!: string;

  @Column({ type: 'text' })
  reason!: string;

  /** `queued` or `applied`. */
  @Column({ type: 'varchar', length: 20 })
  status!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  appliedAt!: Date | null;
}

/** Engine counters (e.g. `pairs_compared`, cumulative), not agency data. */
@Entity('match_counters')
export class MatchCounterEntity {
  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'pk_match_counters' })
  name!: string;

  @Column({ type: 'bigint', default: 0 })
  value!: string;
}

/** Number of profiles holding a name term (keyed hash, purpose `match:tf`), for term-frequency weights. */
@Entity('match_term_counts')
export class MatchTermCountEntity {
  @PrimaryColumn({ type: 'char', length: 64, primaryKeyConstraintName: 'pk_match_term_counts' })
  termHash!: string;

  @Column({ type: 'integer', default: 0 })
  n!: number;
}

export const MATCHING_ENTITIES = [
  MatchCounterEntity,
  MatchTermCountEntity,
  MatchProfileEntity,
  MatchKeyEntity,
  MatchPairEntity,
  MatchReviewEntity,
  MatchDecisionEntity,
  PersonEntity,
  PersonLinkEntity,
  MatchClusterOpEntity,
];
