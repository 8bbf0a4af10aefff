import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { AgencyEntity } from '@app/auth';

/**
 * A referral (canalización) from one agency to another about a report, victim or case of the sender.
 * Both parties see the row (row-level security on sender OR receiver). The receiver sees only the
 * snapshot copied at send time: non-personal groups in `sharedData`, personal ones encrypted in
 * `sharedPiiEnc`; never the sender's records.
 */
@Entity('referrals')
@Index('ix_referrals_sender_created', ['senderAgencyId', 'createdAt', 'id'])
@Index('ix_referrals_receiver_created', ['receiverAgencyId', 'createdAt', 'id'])
@Index('ix_referrals_receiver_status', ['receiverAgencyId', 'status'])
export class ReferralEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_referrals' })
  id!: string;

  @Column({ type: 'uuid' })
  senderAgencyId!: string;

  @ManyToOne(() => AgencyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'sender_agency_id', foreignKeyConstraintName: 'fk_referrals_sender_agency' })
  senderAgency?: AgencyEntity;

  @Column({ type: 'uuid' })
  receiverAgencyId!: string;

  @ManyToOne(() => AgencyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'receiver_agency_id', foreignKeyConstraintName: 'fk_referrals_receiver_agency' })
  receiverAgency?: AgencyEntity;

  /** `referral`, or `notification` (automatic notice to the child-protection authority). */
  @Column({ type: 'varchar', length: 20 })
  kind!: string;

  /** sent, acknowledged, accepted, declined, redirected, in_progress, closed */
  @Column({ type: 'varchar', length: 20 })
  status!: string;

  /** `reports`, `victims` or `cases` (a record kind of the sender). */
  @Column({ type: 'varchar', length: 20 })
  subjectKind!: string;

  /** The sender's localId of the subject (shown to the sender only). */
  @Column({ type: 'varchar', length: 128 })
  subjectLocalId!: string;

  @Column({ type: 'varchar', length: 40 })
  reason!: string;

  /** Codes of catalog `service-type`. */
  @Column({ type: 'text', array: true })
  servicesRequested!: string[];

  /** Code of catalog `referral-urgency`. */
  @Column({ type: 'varchar', length: 20 })
  urgency!: string;

  @Column({ type: 'boolean' })
  involvesMinor!: boolean;

  /** INEGI state code the referral concerns (for the child-protection notice). */
  @Column({ type: 'varchar', length: 3, nullable: true })
  state!: string | null;

  /** Names of the shared groups, e.g. `report.summary`. */
  @Column({ type: 'text', array: true })
  shared!: string[];

  /** Non-personal shared groups, copied at send time. */
  @Column({ type: 'jsonb' })
  sharedData!: Record<string, unknown>;

  /** Personal shared groups (AES-256-GCM), copied at send time. */
  @Column({ type: 'text', nullable: true })
  sharedPiiEnc!: string | null;

  /** Free-text note of the sender (encrypted). */
  @Column({ type: 'text', nullable: true })
  noteEnc!: string | null;

  @Column({ type: 'timestamptz' })
  acknowledgeDueAt!: Date;

  @Column({ type: 'timestamptz' })
  respondDueAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  respondedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  declineReason!: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  outcome!: string | null;

  /** Reference of the investigation file opened (outcome `investigation_opened`). */
  @Column({ type: 'varchar', length: 128, nullable: true })
  outcomeCaseReference!: string | null;

  @Column({ type: 'uuid', nullable: true })
  redirectedToAgencyId!: string | null;

  /** localId of the sender's agreement (record kind `agreements`) the referral is made under (R21). */
  @Column({ type: 'varchar', length: 128, nullable: true })
  agreementLocalId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  redirectedToReferralId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  redirectedFromReferralId!: string | null;

  /** For a notification: the referral it notifies about. */
  @Column({ type: 'uuid', nullable: true })
  notificationOfReferralId!: string | null;

  @Column({ type: 'text' })
  createdBy!: string;

  /** The status in which the `referral.overdue` webhook was sent (once per status). */
  @Column({ type: 'varchar', length: 20, nullable: true })
  overdueNotifiedFor!: string | null;

  @Column({ type: 'int', default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

/** Every step of a referral: who (agency, client) moved it from which status to which, and when. Append-only. */
@Entity('referral_events')
@Index('ix_referral_events_referral', ['referralId', 'seq'])
export class ReferralEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'pk_referral_events' })
  seq!: string;

  @Column({ type: 'uuid' })
  referralId!: string;

  @ManyToOne(() => ReferralEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'referral_id', foreignKeyConstraintName: 'fk_referral_events_referral' })
  referral?: ReferralEntity;

  @Column({ type: 'uuid' })
  senderAgencyId!: string;

  @Column({ type: 'uuid' })
  receiverAgencyId!: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  fromStatus!: string | null;

  @Column({ type: 'varchar', length: 20 })
  toStatus!: string;

  @Column({ type: 'uuid' })
  actorAgencyId!: string;

  @Column({ type: 'text' })
  actorClientId!: string;

  /** Codes only (reason, outcome…), never personal data. */
  @Column({ type: 'jsonb' })
  details!: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;
}
