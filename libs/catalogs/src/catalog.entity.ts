import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/** A standard code list (global reference data, not agency-owned). Loaded by migrations, read-only at run time. */
@Entity('catalogs')
export class CatalogEntity {
  /** Kebab-case catalog name, e.g. `offense`. */
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_catalogs' })
  name!: string;

  @Column({ type: 'text' })
  labelEs!: string;

  @Column({ type: 'text' })
  labelEn!: string;

  @Column({ type: 'text' })
  description!: string;

  /** A field of this catalog may hold several codes. */
  @Column({ type: 'boolean' })
  multiValued!: boolean;

  /** The null codes SI, NA, NR and RESERVED are valid codes of this catalog. */
  @Column({ type: 'boolean' })
  nullCodes!: boolean;

  @Column({ type: 'varchar', length: 20 })
  currentVersion!: string;
}

/** One published version of a catalog. Immutable once loaded; `validTo` is set when a newer version arrives. */
@Entity('catalog_versions')
export class CatalogVersionEntity {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_catalog_versions' })
  catalog!: string;

  /** `YYYY.n`. */
  @PrimaryColumn({ type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_catalog_versions' })
  version!: string;

  @ManyToOne(() => CatalogEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'catalog', referencedColumnName: 'name', foreignKeyConstraintName: 'fk_catalog_versions_catalog' })
  catalogRef?: CatalogEntity;

  @Column({ type: 'date' })
  validFrom!: string;

  @Column({ type: 'date', nullable: true })
  validTo!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  loadedAt!: Date;

  /** SHA-256 (hex) of the version's metadata and entries; the basis of the HTTP ETag. */
  @Column({ type: 'varchar', length: 64 })
  contentHash!: string;

  /** Catalog-level attributes of this version beyond the standard ones (e.g. offence `lawVersion`). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  attributes!: Record<string, unknown>;
}

/** One code of one catalog version. Never deleted: a newer version re-lists it, with `retiredOn` once retired. */
@Entity('catalog_entries')
export class CatalogEntryEntity {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_catalog_entries' })
  catalog!: string;

  @PrimaryColumn({ type: 'varchar', length: 20, primaryKeyConstraintName: 'pk_catalog_entries' })
  version!: string;

  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'pk_catalog_entries' })
  code!: string;

  @ManyToOne(() => CatalogVersionEntity, { onDelete: 'RESTRICT' })
  @JoinColumn([
    { name: 'catalog', referencedColumnName: 'catalog', foreignKeyConstraintName: 'fk_catalog_entries_version' },
    { name: 'version', referencedColumnName: 'version', foreignKeyConstraintName: 'fk_catalog_entries_version' },
  ])
  catalogVersion?: CatalogVersionEntity;

  /** Order of the entry in the published list. */
  @Column({ type: 'int' })
  position!: number;

  @Column({ type: 'text' })
  labelEs!: string;

  @Column({ type: 'text' })
  labelEn!: string;

  /** Code of a broader entry of the same catalog. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  parent!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  attributes!: Record<string, unknown>;

  /** SI, NA, NR or RESERVED, appended because the catalog accepts null codes. */
  @Column({ type: 'boolean', default: false })
  nullCode!: boolean;

  /** From this day the code is no longer accepted for new data (still valid for older records). */
  @Column({ type: 'date', nullable: true })
  retiredOn!: string | null;
}
