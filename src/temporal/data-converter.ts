import type { DataConverter } from '@temporalio/common';
import { siblingModule } from '../project-paths.js';
import { AesGcmCodec, type EncryptionKey } from './codec.js';

export const failureConverterPath = siblingModule(import.meta.url, './failure-converter.js');

/** The one data converter of worker, client and tests: encrypted payloads, encoded failure messages. */
export function createDataConverter(keys: EncryptionKey[]): DataConverter {
  return { payloadCodecs: [new AesGcmCodec(keys)], failureConverterPath };
}
