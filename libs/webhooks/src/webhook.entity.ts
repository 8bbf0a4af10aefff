import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AgencyEntity } from '@app/auth';

/** An HTTPS endpoint an agency registered to receive events. The signing secret is stored encrypted. */
@Entity('webhook_endpoints')
@Index('ix_webhook_endpoints_agency_created', ['agencyId', 'createdAt', 'id'])
export class WebhookEndpointEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_webhook_endpoints' })
  id!: string;

  @Column({ type: 'uuid' })
  agencyId!: string;

  @ManyToOne(() => AgencyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'fk_webhook_endpoints_agency' })
  agency?: AgencyEntity;

  @Column({ type: 'text' })
  url!: string;

  /** Event types, e.g. `referral.received`. */
  @Column({ type: 'text', array: true })
  events!: string[];

  @Column({ type: 'varchar', length: 200, nullable: true })
  description!: string | null;

  /** `whsec_…` secret, AES-256-GCM. */
  @Column({ type: 'text' })
  secretEnc!: string;

  @Column({ type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  /** Set when the endpoint is deleted (kept for the delivery log). */
  @Column({ type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}

/**
 * One event to deliver to one endpoint (the outbox and the delivery log). Created in the transaction
 * of the event; delivered in `seq` order per endpoint by the `webhooks.deliver` job.
 */
@Entity('webhook_deliveries')
@Index('ix_webhook_deliveries_agency_endpoint_seq', ['agencyId', 'endpointId', 'seq'])
@Index('ix_webhook_deliveries_endpoint_status_seq', ['endpointId', 'status', 'seq'])
export class WebhookDeliveryEntity {
  /** Also the `webhook-id` header (stable across retries: receivers de-duplicate on it). */
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_webhook_deliveries' })
  id!: string;

  @Column({ type: 'bigint', generatedIdentity: 'ALWAYS', generated: 'identity' })
  seq!: string;

  @Column({ type: 'uuid' })
  agencyId!: string;

  @Column({ type: 'uuid' })
  endpointId!: string;

  @ManyToOne(() => WebhookEndpointEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'endpoint_id', foreignKeyConstraintName: 'fk_webhook_deliveries_endpoint' })
  endpoint?: WebhookEndpointEntity;

  @Column({ type: 'varchar', length: 60 })
  eventType!: string;

  /** The JSON body sent (identifiers and codes only, no personal data). */
  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  /** pending, delivered, failed */
  @Column({ type: 'varchar', length: 12 })
  status!: string;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  @Column({ type: 'int', nullable: true })
  lastStatusCode!: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  lastError!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
