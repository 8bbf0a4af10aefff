import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { ProblemException, decodeCursor, pageOf } from '@app/http';
import { AgencyEntity, AgencyVersionEntity } from './agency.entity';
import { PrincipalCache } from '../clients/principal-cache';
import type { AgencyAdminDto, AgencyDirectoryEntryDto, AgencyDirectoryPageDto, AgencyVersionDto, CreateAgencyDto, UpdateAgencyDto } from './dto/agency.dto';

export interface AgencyFilter {
  kind?: string;
  jurisdiction?: string;
  active?: boolean;
  limit?: number;
  cursor?: string;
}

/** The agency registry. Directory data is not agency-scoped: every authenticated caller may read it. */
@Injectable()
export class AgenciesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly principals: PrincipalCache,
  ) {}

  private codes = new Map<string, string>();

  async create(input: CreateAgencyDto, changedBy: string): Promise<AgencyAdminDto> {
    return this.ds.transaction(async (em) => {
      const inserted = await em
        .getRepository(AgencyEntity)
        .createQueryBuilder()
        .insert()
        .values({
          code: input.code,
          name: input.name,
          kind: input.kind,
          jurisdiction: input.jurisdiction ?? null,
          level: input.level ?? null,
          validFrom: input.validFrom ?? new Date().toISOString().slice(0, 10),
        })
        .orIgnore()
        .returning('*')
        .execute();
      if (!inserted.raw.length) {
        throw new ProblemException(409, 'conflict', { detail: `Agency code ${input.code} is taken`, errors: [{ pointer: '#/code', detail: 'already exists', rule: 'unique' }] });
      }
      const agency = await em.getRepository(AgencyEntity).findOneByOrFail({ code: input.code });
      await this.writeVersion(em, agency, changedBy);
      return this.toAdmin(agency);
    });
  }

  async update(code: string, patch: UpdateAgencyDto, changedBy: string): Promise<AgencyAdminDto> {
    return this.ds.transaction(async (em) => {
      const repo = em.getRepository(AgencyEntity);
      const agency = await repo.findOne({ where: { code }, lock: { mode: 'pessimistic_write' } });
      if (!agency) throw ProblemException.notFound('Agency');
      if (patch.mergedInto !== undefined) {
        const target = await repo.findOneBy({ code: patch.mergedInto });
        if (!target || target.id === agency.id) {
          throw ProblemException.validation([{ pointer: '#/mergedInto', detail: 'must be the code of another agency', rule: 'exists' }]);
        }
        agency.mergedIntoId = target.id;
        agency.active = false;
        agency.validTo ??= new Date().toISOString().slice(0, 10);
      }
      if (patch.name !== undefined) agency.name = patch.name;
      if (patch.active !== undefined) agency.active = patch.active;
      if (patch.validTo !== undefined) agency.validTo = patch.validTo;
      agency.version += 1;
      await repo.save(agency);
      await this.writeVersion(em, agency, changedBy);
      this.principals.clear();
      return this.toAdminWithCodes(agency);
    });
  }

  private async writeVersion(em: EntityManager, agency: AgencyEntity, changedBy: string): Promise<void> {
    const { createdAt: _c, updatedAt: _u, ...snapshot } = agency;
    const row = Object.assign(new AgencyVersionEntity(), { agencyId: agency.id, version: agency.version, snapshot: snapshot as Record<string, unknown>, changedBy });
    await em.getRepository(AgencyVersionEntity).save(row);
  }

  async versions(code: string): Promise<AgencyVersionDto[]> {
    const agency = await this.ds.getRepository(AgencyEntity).findOneBy({ code });
    if (!agency) throw ProblemException.notFound('Agency');
    const rows = await this.ds.getRepository(AgencyVersionEntity).find({ where: { agencyId: agency.id }, order: { version: 'ASC' } });
    return rows.map((r) => ({ version: r.version, snapshot: r.snapshot, changedBy: r.changedBy, changedAt: r.changedAt.toISOString() }));
  }

  async list(filter: AgencyFilter): Promise<AgencyDirectoryPageDto> {
    const limit = filter.limit ?? 100;
    const after = decodeCursor<[string]>(filter.cursor, 1);
    const qb = this.ds.getRepository(AgencyEntity).createQueryBuilder('a').orderBy('a.code', 'ASC').limit(limit + 1);
    if (filter.kind) qb.andWhere('a.kind = :kind', { kind: filter.kind });
    if (filter.jurisdiction) qb.andWhere('a.jurisdiction = :j', { j: filter.jurisdiction });
    if (filter.active !== undefined) qb.andWhere('a.active = :active', { active: filter.active });
    if (after) qb.andWhere('a.code > :after', { after: after[0] });
    const rows = await qb.getMany();
    await this.loadCodes(rows);
    return pageOf(rows, limit, (r) => [r.code], (r) => this.toDirectory(r));
  }

  async findById(id: string): Promise<AgencyEntity | null> {
    return this.ds.getRepository(AgencyEntity).findOneBy({ id });
  }

  async findActiveByCode(code: string): Promise<AgencyEntity | undefined> {
    return (await this.ds.getRepository(AgencyEntity).findOneBy({ code, active: true })) ?? undefined;
  }

  async getByCode(code: string): Promise<AgencyEntity> {
    const agency = await this.ds.getRepository(AgencyEntity).findOneBy({ code });
    if (!agency) throw ProblemException.notFound('Agency');
    return agency;
  }

  private async loadCodes(rows: AgencyEntity[]): Promise<void> {
    const missing = [...new Set(rows.map((r) => r.mergedIntoId).filter((id): id is string => !!id && !this.codes.has(id)))];
    if (!missing.length) return;
    const found = await this.ds.getRepository(AgencyEntity).createQueryBuilder('a').select(['a.id', 'a.code']).where('a.id IN (:...ids)', { ids: missing }).getMany();
    for (const a of found) this.codes.set(a.id, a.code);
  }

  toDirectory(a: AgencyEntity): AgencyDirectoryEntryDto {
    return {
      code: a.code,
      name: a.name,
      kind: a.kind as AgencyDirectoryEntryDto['kind'],
      jurisdiction: a.jurisdiction,
      level: a.level,
      active: a.active,
      validFrom: a.validFrom,
      validTo: a.validTo,
      mergedInto: a.mergedIntoId ? (this.codes.get(a.mergedIntoId) ?? null) : null,
    };
  }

  async toAdminWithCodes(a: AgencyEntity): Promise<AgencyAdminDto> {
    await this.loadCodes([a]);
    return this.toAdmin(a);
  }

  toAdmin(a: AgencyEntity): AgencyAdminDto {
    return { ...this.toDirectory(a), id: a.id, version: a.version, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString() };
  }
}
