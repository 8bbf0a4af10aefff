import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
// Entity files import each other directly (as libs/db/src/entities.ts does): going through @app/auth would
// load the auth module, and its dependency on @app/db, while libs/db is still collecting the entities.
import { AgencyEntity } from '../../auth/src/agencies/agency.entity';
import { CatalogEntity } from './catalog.entity';

/**
 * How one agency's own code maps to a standard catalog code (R6): e.g. its state penal-code article
 * to an `offense` code. Agency-owned: row-level security by `agency_id`.
 */
@Entity('crosswalks')
@Unique('uq_crosswalks_agency_catalog_local', ['agencyId', 'catalog', 'localCode'])
export class CrosswalkEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_crosswalks' })
  id!: string;

  @Column({ type: 'uuid' })
  agencyId!: string;

  @ManyToOne(() => AgencyEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'agency_id', foreignKeyConstraintName: 'fk_crosswalks_agency' })
  agency?: AgencyEntity;

  @Column({ type: 'varchar', length: 64 })
  catalog!: string;

  @ManyToOne(() => CatalogEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'catalog', referencedColumnName: 'name', foreignKeyConstraintName: 'fk_crosswalks_catalog' })
  catalogRef?: CatalogEntity;

  /** The agency's own code, as its systems send it. */
  @Column({ type: 'varchar', length: 100 })
  localCode!: string;

  /** The standard code of `catalog` it stands for. */
  @Column({ type: 'varchar', length: 64 })
  standardCode!: string;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
