import { writeStateFile } from './state-file.js';

export interface StateSaverOptions {
  file: string;
  /** The shortest time between two writes; changes within it share one write. */
  intervalMs: number;
  /** The whole state as the file's text, taken at the moment of the write. */
  serialise: () => string;
  onError: (error: Error) => void;
}

/**
 * Keeps a state file in step with the sandbox without a write per request: a change schedules one write
 * `intervalMs` later, changes made until then (or while it runs) ride along or schedule the next, and close()
 * writes whatever is left.
 */
export class StateSaver {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private closed = false;

  constructor(private readonly options: StateSaverOptions) {}

  /** Writes at once; start-up calls it so that a path that cannot be written fails the start. */
  writeNow(): Promise<void> {
    this.dirty = false;
    const text = this.options.serialise();
    const writing = writeStateFile(this.options.file, text).finally(() => {
      this.writing = undefined;
    });
    this.writing = writing;
    return writing;
  }

  changed(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.timer === undefined && this.writing === undefined) this.schedule();
  }

  /** Stops scheduling and writes the changes not yet on disk; rejects when that last write fails. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing?.catch(() => undefined);
    if (this.dirty) await this.writeNow();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeScheduled();
    }, this.options.intervalMs);
    // A pending write must not keep a process alive that has nothing else to do; close() writes it anyway.
    this.timer.unref();
  }

  private async writeScheduled(): Promise<void> {
    try {
      await this.writeNow();
    } catch (error) {
      // Kept dirty: the next change tries again, and close() reports a failure that lasts.
      this.dirty = true;
      this.options.onError(error as Error);
      return;
    }
    if (this.dirty && !this.closed) this.schedule();
  }
}
