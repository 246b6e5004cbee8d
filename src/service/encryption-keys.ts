import type { Logger } from 'pino';
import type { EncryptionKey } from '../temporal/codec.js';
import { loadOrCreateDevKeys, parseEncryptionKeys } from '../temporal/keys.js';

/**
 * The keys of `npm start` and `npm run worker` alike: LEADSYNC_ENCRYPTION_KEY when set, otherwise the development
 * key kept in the data dir (created on first use), with a warning either way it comes from there.
 */
export async function encryptionKeys(
  configured: string | undefined,
  dataDir: string,
  logger: Logger,
): Promise<EncryptionKey[]> {
  if (configured) return parseEncryptionKeys(configured);
  const dev = await loadOrCreateDevKeys(dataDir);
  logger.warn(
    { file: dev.file, created: dev.created },
    'LEADSYNC_ENCRYPTION_KEY is not set: using a development key from the data dir. Set it in production.',
  );
  return dev.keys;
}
