import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EncryptionKey } from './codec.js';

/**
 * Reads LEADSYNC_ENCRYPTION_KEY: a comma-separated list of `id:base64` (or bare base64, whose id is derived
 * from its hash). The first key encrypts; all of them decrypt.
 */
export function parseEncryptionKeys(value: string): EncryptionKey[] {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('LEADSYNC_ENCRYPTION_KEY: no key given');
  return entries.map((entry, i) => {
    const sep = entry.indexOf(':');
    const id = sep > 0 ? entry.slice(0, sep) : undefined;
    const key = Buffer.from(sep > 0 ? entry.slice(sep + 1) : entry, 'base64');
    if (key.length !== 32)
      throw new Error(`LEADSYNC_ENCRYPTION_KEY: key ${i + 1} must be 32 bytes of base64 (got ${key.length} bytes)`);
    if (id !== undefined && !/^[\w.-]{1,64}$/.test(id))
      throw new Error(`LEADSYNC_ENCRYPTION_KEY: key ${i + 1} has an invalid id`);
    return { id: id ?? derivedKeyId(key), key };
  });
}

export function derivedKeyId(key: Buffer): string {
  return `k-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

export function generateKeyString(): string {
  const key = randomBytes(32);
  return `${derivedKeyId(key)}:${key.toString('base64')}`;
}

/**
 * For development only: with no key configured, one is generated once into the data dir and reused, so
 * histories written by an earlier `npm start` stay readable.
 */
export async function loadOrCreateDevKeys(
  dataDir: string,
): Promise<{ keys: EncryptionKey[]; created: boolean; file: string }> {
  const file = path.join(dataDir, 'encryption-key');
  try {
    return { keys: parseEncryptionKeys((await readFile(file, 'utf8')).trim()), created: false, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const value = generateKeyString();
  await writeFile(file, value + '\n', { mode: 0o600 });
  return { keys: parseEncryptionKeys(value), created: true, file };
}
