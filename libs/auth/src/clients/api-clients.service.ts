import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { hashSecret, newSecret, verifySecret } from '@app/crypto';
import { ProblemException } from '@app/http';
import { AgencyEntity } from '../agencies/agency.entity';
import { AgenciesService } from '../agencies/agencies.service';
import { isScope } from '../access/scopes';
import { ApiClientEntity } from './api-client.entity';
import { PrincipalCache } from './principal-cache';
import type { ApiClientCredentialsDto, ApiClientDto, CreateApiClientDto } from './dto/api-client.dto';

export interface Principal {
  client: ApiClientEntity;
  agency: AgencyEntity;
}

/** API clients: one agency each, scopes, hashed secrets (scrypt), rotation with a grace period, revocation. */
@Injectable()
export class ApiClientsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly agencies: AgenciesService,
    private readonly cache: PrincipalCache,
  ) {}

  async create(input: CreateApiClientDto, createdBy: string): Promise<ApiClientCredentialsDto> {
    const agency = await this.agencies.findActiveByCode(input.agency);
    if (!agency) throw ProblemException.validation([{ pointer: '#/agency', detail: `no active agency with code ${input.agency}`, rule: 'exists' }]);
    const bad = input.scopes.filter((s) => !isScope(s));
    if (bad.length) throw ProblemException.validation([{ pointer: '#/scopes', detail: `unknown scope(s) ${bad.join(', ')}`, rule: 'isIn' }]);
    const secret = newSecret();
    const clientId = `${agency.code}-${randomBytes(6).toString('hex')}`;
    const row = await this.ds.getRepository(ApiClientEntity).save({
      clientId,
      agencyId: agency.id,
      name: input.name,
      scopes: [...input.scopes].sort(),
      secretHash: await hashSecret(secret),
      createdBy,
    });
    return { ...this.toDto(row, agency.code), clientSecret: secret, previousSecretExpiresAt: null };
  }

  async rotate(clientId: string, graceSeconds = 86400): Promise<ApiClientCredentialsDto> {
    const secret = newSecret();
    const hash = await hashSecret(secret);
    return this.ds.transaction(async (em) => {
      const repo = em.getRepository(ApiClientEntity);
      const row = await repo.findOne({ where: { clientId, revokedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw ProblemException.notFound('Client');
      row.previousSecretHash = graceSeconds > 0 ? row.secretHash : null;
      row.previousSecretExpiresAt = graceSeconds > 0 ? new Date(Date.now() + graceSeconds * 1000) : null;
      row.secretHash = hash;
      await repo.save(row);
      this.cache.clear();
      const agency = await em.getRepository(AgencyEntity).findOneByOrFail({ id: row.agencyId });
      return { ...this.toDto(row, agency.code), clientSecret: secret, previousSecretExpiresAt: row.previousSecretExpiresAt?.toISOString() ?? null };
    });
  }

  async revoke(clientId: string): Promise<ApiClientDto> {
    const repo = this.ds.getRepository(ApiClientEntity);
    const row = await repo.findOneBy({ clientId });
    if (!row) throw ProblemException.notFound('Client');
    if (!row.revokedAt) {
      row.revokedAt = new Date();
      await repo.save(row);
      this.cache.clear();
    }
    const agency = await this.agencies.findById(row.agencyId);
    return this.toDto(row, agency?.code ?? '');
  }

  async list(agencyCode?: string): Promise<ApiClientDto[]> {
    const qb = this.ds
      .getRepository(ApiClientEntity)
      .createQueryBuilder('c')
      .innerJoin(AgencyEntity, 'a', 'a.id = c.agency_id')
      .addSelect('a.code', 'agency_code')
      .orderBy('c.created_at', 'ASC');
    if (agencyCode) qb.where('a.code = :code', { code: agencyCode });
    const { entities, raw } = await qb.getRawAndEntities<{ agency_code: string }>();
    return entities.map((e, i) => this.toDto(e, raw[i].agency_code));
  }

  /** Checks client credentials; undefined when unknown, revoked, inactive agency or wrong secret. */
  async authenticate(clientId: string, secret: string): Promise<Principal | undefined> {
    const principal = await this.findPrincipal(clientId);
    if (!principal) {
      await hashSecret(secret); // same work whether or not the client exists
      return undefined;
    }
    const { client } = principal;
    let ok = await verifySecret(secret, client.secretHash);
    if (!ok && client.previousSecretHash && client.previousSecretExpiresAt && client.previousSecretExpiresAt > new Date()) {
      ok = await verifySecret(secret, client.previousSecretHash);
    }
    if (!ok) return undefined;
    await this.ds.getRepository(ApiClientEntity).update({ id: client.id }, { lastUsedAt: new Date() });
    return principal;
  }

  /** The active client and its active agency, in one query (used on every authenticated request). */
  async findPrincipal(clientId: string): Promise<Principal | undefined> {
    const cached = this.cache.get<Principal | null>(`client:${clientId}`);
    if (cached !== undefined) return cached ?? undefined;
    const found = await this.loadPrincipal(clientId);
    this.cache.set(`client:${clientId}`, found ?? null);
    return found;
  }

  private async loadPrincipal(clientId: string): Promise<Principal | undefined> {
    const { entities, raw } = await this.ds
      .getRepository(ApiClientEntity)
      .createQueryBuilder('c')
      .innerJoin(AgencyEntity, 'a', 'a.id = c.agency_id AND a.active')
      .addSelect(['a.id AS a_id', 'a.code AS a_code', 'a.kind AS a_kind'])
      .where('c.client_id = :clientId AND c.revoked_at IS NULL', { clientId })
      .getRawAndEntities<{ a_id: string; a_code: string; a_kind: string }>();
    if (!entities.length) return undefined;
    const agency = Object.assign(new AgencyEntity(), { id: raw[0].a_id, code: raw[0].a_code, kind: raw[0].a_kind, active: true });
    return { client: entities[0], agency };
  }

  private toDto(c: ApiClientEntity, agencyCode: string): ApiClientDto {
    return {
      clientId: c.clientId,
      agency: agencyCode,
      name: c.name,
      scopes: c.scopes,
      createdAt: c.createdAt.toISOString(),
      revokedAt: c.revokedAt?.toISOString() ?? null,
      lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
    };
  }
}
