import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { DataSource, IsNull } from 'typeorm';
import { FIELD_CIPHER, type FieldCipher } from '@app/crypto';
import { SigningKeyEntity } from './signing-key.entity';

const ALG = 'ES256';
const KEY_LOCK = 0x6b657973; // 'keys'

interface LoadedKey {
  kid: string;
  publicJwk: JWK;
  publicKey: KeyObject;
  retired: boolean;
}

/**
 * Access-token signing keys, shared by every instance through the database. The newest active key
 * signs; retired keys stay published in the JWKS until the tokens they signed have expired, so a
 * rotation (`npm run cli -- keys:rotate-signing`) never invalidates a token in flight.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger('SigningKeys');
  private keys = new Map<string, LoadedKey>();
  private signer?: { kid: string; key: Parameters<SignJWT['sign']>[0] };
  private lastReload = 0;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.ensureActiveKey();
    await this.reload();
  }

  /** Creates a first key when none is active (under an advisory lock, so concurrent starts make one). */
  private async ensureActiveKey(): Promise<void> {
    await this.ds.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
      const active = await em.getRepository(SigningKeyEntity).count({ where: { retiredAt: IsNull() } });
      if (!active) await this.insertKey(em.getRepository(SigningKeyEntity));
    });
  }

  private async insertKey(repo: ReturnType<DataSource['getRepository']>): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = `k-${new Date().toISOString().slice(0, 10)}-${randomUUID().slice(0, 8)}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
    const privateJwk = await exportJWK(privateKey);
    await repo.insert({ kid, alg: ALG, publicJwk, privateJwkEncrypted: this.cipher.encryptJson(privateJwk) });
    return kid;
  }

  /** Makes a new signing key; the previous ones are retired and stay published for `graceSeconds`. */
  async rotate(graceSeconds: number): Promise<{ kid: string; retired: string[] }> {
    const result = await this.ds.transaction(async (em) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
      const repo = em.getRepository(SigningKeyEntity);
      const previous = await repo.find({ where: { retiredAt: IsNull() } });
      const kid = await this.insertKey(repo);
      const now = new Date();
      for (const k of previous) await repo.update({ kid: k.kid }, { retiredAt: now, expiresAt: new Date(now.getTime() + graceSeconds * 1000) });
      return { kid, retired: previous.map((k) => k.kid) };
    });
    await this.reload();
    return result;
  }

  async reload(): Promise<void> {
    const rows = await this.ds.getRepository(SigningKeyEntity).find({ order: { createdAt: 'DESC' } });
    const now = Date.now();
    const keys = new Map<string, LoadedKey>();
    let signer: typeof this.signer;
    for (const row of rows) {
      if (row.expiresAt && row.expiresAt.getTime() < now) continue;
      const publicJwk = row.publicJwk as JWK;
      keys.set(row.kid, {
        kid: row.kid,
        publicJwk,
        publicKey: createPublicKey({ key: publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' }),
        retired: !!row.retiredAt,
      });
      if (!row.retiredAt && !signer) {
        signer = { kid: row.kid, key: await importJWK(this.cipher.decryptJson<JWK>(row.privateJwkEncrypted), ALG) };
      }
    }
    this.keys = keys;
    this.signer = signer;
    this.lastReload = now;
  }

  /** Public key for a kid; an unknown kid triggers one reload (another instance may have rotated). */
  async publicKey(kid: string): Promise<KeyObject | undefined> {
    const known = this.keys.get(kid);
    if (known) return known.publicKey;
    if (Date.now() - this.lastReload > 2000) {
      await this.reload();
      return this.keys.get(kid)?.publicKey;
    }
    return undefined;
  }

  jwks(): { keys: JWK[] } {
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }

  async sign(claims: Record<string, unknown>, opts: { issuer: string; audience: string; subject: string; ttlSeconds: number }): Promise<string> {
    if (!this.signer) await this.reload();
    const signer = this.signer!;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid: signer.kid, typ: 'at+jwt' })
      .setIssuer(opts.issuer)
      .setAudience(opts.audience)
      .setSubject(opts.subject)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(Math.floor(Date.now() / 1000) + opts.ttlSeconds)
      .sign(signer.key);
  }
}
