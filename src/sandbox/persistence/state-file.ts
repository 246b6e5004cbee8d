import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { describeIssues } from '../schemas.js';
import { stateSnapshot, type StateSnapshot } from './snapshot.js';

/** A state file that cannot be read or written; the message names the file and never quotes its contents. */
export class StateFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`sandbox state file ${file} ${problem}`);
    this.name = 'StateFileError';
  }
}

const reasonOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/** The snapshot in the file, or undefined when there is no file yet (a fresh start). */
export async function readStateFile(file: string): Promise<StateSnapshot | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(file, `cannot be read (${reasonOf(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text around the fault, and the file holds tokens: say where, not what.
    throw new StateFileError(file, 'is not valid JSON; repair it, or delete it to start with an empty sandbox');
  }
  const parsed = stateSnapshot.safeParse(json);
  if (!parsed.success) {
    throw new StateFileError(
      file,
      `does not hold sandbox state (${describeIssues(parsed.error)}); repair it, or delete it to start with an empty sandbox`,
    );
  }
  return parsed.data;
}

/**
 * Replaces the file at once: the text goes to a temporary file beside it, is flushed to disk, then renamed over
 * the old one, so a crash leaves either the old state or the new one. Only the owner may read it (it holds tokens).
 */
export async function writeStateFile(file: string, text: string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    // Where the write failed the temporary file may not even be reachable; the write's own reason is what counts.
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new StateFileError(file, `cannot be written (${reasonOf(error)})`);
  }
}
