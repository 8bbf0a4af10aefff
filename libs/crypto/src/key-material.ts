import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FieldCipher } from './field-cipher';

interface KeyFile {
  fieldKeys: string;
  blindIndexKey: string;
}

/**
 * Builds the field cipher from configuration: FIELD_ENCRYPTION_KEYS (`kid:base64,…`, first = active)
 * and BLIND_INDEX_KEY. Outside production, missing keys are generated once into KEYS_DIR/field-keys.json
 * (mode 0600) and reused; in production they must be configured (e.g. injected from a KMS/secret store).
 */
export function loadFieldCipher(opts: { fieldKeys?: string; blindIndexKey?: string; keysDir: string; production: boolean }): FieldCipher {
  let fieldKeys = opts.fieldKeys;
  let blindIndexKey = opts.blindIndexKey;
  if (!fieldKeys || !blindIndexKey) {
    if (opts.production) throw new Error('FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must be configured in production');
    const file = resolve(opts.keysDir, 'field-keys.json');
    let stored: KeyFile;
    if (existsSync(file)) {
      stored = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
    } else {
      stored = { fieldKeys: `dev1:${randomBytes(32).toString('base64')}`, blindIndexKey: randomBytes(32).toString('base64') };
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
    }
    fieldKeys ??= stored.fieldKeys;
    blindIndexKey ??= stored.blindIndexKey;
  }
  const keys = fieldKeys.split(',').map((part) => {
    const [kid, b64] = part.split(':');
    return { kid, key: Buffer.from(b64, 'base64') };
  });
  return new FieldCipher(keys, Buffer.from(blindIndexKey, 'base64'));
}
