import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Keys that sign access tokens. The private half is encrypted with the field-encryption key. */
@Entity('signing_keys')
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_signing_keys' })
  kid!: string;

  @Column({ type: 'varchar', length: 10 })
  alg!: string;

  @Column({ type: 'jsonb' })
  publicJwk!: Record<string, unknown>;

  @Column({ type: 'text' })
  privateJwkEncrypted!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  /** Set when a newer key takes over signing; the key stays in the JWKS until `expiresAt`. */
  @Column({ type: 'timestamptz', nullable: true })
  retiredAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;
}
