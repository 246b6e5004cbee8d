import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CliError, ExitCode } from '../exit-codes.js';

/**
 * The first 16 hex digits of the file's SHA-256, read as a stream. Row event ids derive from it, so running the
 * same file again sends events the leads have already seen, and an edited file is a new import.
 */
export async function fileId(file: string): Promise<{ id: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, ExitCode.usage);
  }
  return { id: hash.digest('hex').slice(0, 16), bytes };
}
