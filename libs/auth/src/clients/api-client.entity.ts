import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { AgencyEntity } from '../agencies/agency.entity';

/** An OAuth client of one agency, with the scopes its tokens may carry. Secrets are stored hashed. */
@Entity('api_clients')
@Unique('uq_api_clients_client_id', ['clientId'])
export class ApiClientEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_api_clients' })
  id!: string;

  /** Public identifier sent as `client_id`. */
  @Column({ type: 'varchar', length: 80 })
  clientId!: string;

  @Index('ix_api_clients_agency')
  @Column({ type: 'uuid' })
  agencyId!: string;

  @ManyToOne(() => AgencyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'fk_api_clients_agency' })
  agency?: AgencyEntity;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', array: true })
  scopes!: string[];

  /** scrypt hash of the current secret. */
  @Column({ type: 'text' })
  secretHash!: string;

  /** After a rotation the previous secret keeps working until `previousSecretExpiresAt`. */
  @Column({ type: 'text', nullable: true })
  previousSecretHash!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
