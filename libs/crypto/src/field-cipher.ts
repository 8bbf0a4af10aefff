import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM encryption of personal-data fields, with key ids so keys can be rotated: the first
 * key encrypts, every listed key decrypts. Ciphertext format: `v1.<kid>.<iv>.<tag>.<data>` (base64url).
 * Keyed hashes (HMAC-SHA256 with a separate blind-index key) allow exact look-ups without decrypting.
 */
export class FieldCipher {
  private readonly keys: Map<string, Buffer>;
  readonly activeKid: string;

  constructor(
    keys: Array<{ kid: string; key: Buffer }>,
    private readonly indexKey: Buffer,
  ) {
    if (!keys.length) throw new Error('FieldCipher needs at least one key');
    for (const k of keys) if (k.key.length !== 32) throw new Error(`key ${k.kid} must be 32 bytes`);
    if (indexKey.length < 32) throw new Error('blind-index key must be at least 32 bytes');
    this.keys = new Map(keys.map((k) => [k.kid, k.key]));
    this.activeKid = keys[0].kid;
  }

  /**
   * The key material, to build the same cipher in a worker thread of this process (`FieldCipher.inWorker`;
   * the matching rebuild decrypts and hashes on several cores). Never to be logged, stored or sent elsewhere.
   */
  forWorkerThread(): { keys: Array<{ kid: string; key: Uint8Array }>; indexKey: Uint8Array } {
    return { keys: [...this.keys].map(([kid, key]) => ({ kid, key: new Uint8Array(key) })), indexKey: new Uint8Array(this.indexKey) };
  }

  /** The cipher of `forWorkerThread()`, in the worker thread that received it. */
  static inWorker(m: { keys: Array<{ kid: string; key: Uint8Array }>; indexKey: Uint8Array }): FieldCipher {
    // The active key is the first of the map (insertion order), so the order carries it over.
    return new FieldCipher(
      m.keys.map((k) => ({ kid: k.kid, key: Buffer.from(k.key) })),
      Buffer.from(m.indexKey),
    );
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.activeKid)!, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.activeKid, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  }

  decrypt(token: string): string {
    const [version, kid, iv, tag, data] = token.split('.');
    if (version !== 'v1' || !data) throw new Error('not a field ciphertext');
    const key = this.keys.get(kid);
    if (!key) throw new Error(`unknown field-encryption key id ${kid}`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }

  encryptJson(value: unknown): string {
    return this.encrypt(JSON.stringify(value));
  }
  decryptJson<T>(token: string): T {
    return JSON.parse(this.decrypt(token)) as T;
  }

  /** Key id a ciphertext was written with (for background re-encryption). */
  static kidOf(token: string): string | undefined {
    return token.split('.')[1];
  }

  /** Deterministic keyed hash of a normalised value, hex; `purpose` separates hash domains. */
  blindIndex(purpose: string, normalised: string): string {
    return createHmac('sha256', this.indexKey).update(purpose).update('\0').update(normalised).digest('hex');
  }
}

export const FIELD_CIPHER = Symbol('FIELD_CIPHER');
