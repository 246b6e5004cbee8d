import cliProgress from 'cli-progress';

export interface ImportCounts {
  read: number;
  /** Rows refused before they reached a lead: a bad value, or a row the service refused. */
  invalid: number;
  accepted: number;
  synced: number;
  /** Accepted rows that HubSpot refused for good. */
  failed: number;
  bytesRead: number;
  totalBytes: number;
}

/** How often plain progress lines are written when stderr is not a terminal (a log file, CI). */
const LINE_INTERVAL_MS = 2_000;

/**
 * Progress on stderr, so stdout stays the summary alone: a bar on a terminal (cli-progress), a line every two
 * seconds otherwise. The bar runs over the file's bytes while reading and over the accepted rows while waiting.
 */
export class ImportProgress {
  private readonly bar?: cliProgress.SingleBar;
  private timer?: NodeJS.Timeout;
  private readonly started = Date.now();
  private waiting = false;

  constructor(
    private readonly counts: ImportCounts,
    private readonly options: { tty: boolean; enabled: boolean; wait: boolean },
  ) {
    if (!options.enabled) return;
    if (options.tty) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format:
            '{phase} {bar} {percentage}% | read {read} accepted {accepted} synced {synced} failed {failed} | {rate}/s ETA {eta_text}',
          hideCursor: true,
          barsize: 16,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(Math.max(1, counts.totalBytes), 0, this.payload());
    }
    this.timer = setInterval(() => this.render(), options.tty ? 200 : LINE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Every row is read and sent; with --wait the bar now follows the accepted rows to synced or failed. */
  readingDone(): void {
    this.waiting = this.options.wait;
    if (this.bar) this.render();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (!this.options.enabled) return;
    this.render();
    this.bar?.stop();
  }

  private render(): void {
    if (this.bar) {
      const { value, total } = this.position();
      this.bar.setTotal(Math.max(1, total));
      this.bar.update(value, this.payload());
    } else if (this.options.enabled) {
      process.stderr.write(`${this.line()}\n`);
    }
  }

  private position(): { value: number; total: number } {
    const c = this.counts;
    if (!this.waiting) return { value: c.bytesRead, total: c.totalBytes };
    return { value: c.synced + c.failed, total: c.accepted };
  }

  private rate(): number {
    const seconds = (Date.now() - this.started) / 1000;
    const c = this.counts;
    const done = this.waiting ? c.synced + c.failed + c.invalid : c.accepted + c.invalid;
    return seconds > 0 ? done / seconds : 0;
  }

  private eta(): string {
    const { value, total } = this.position();
    const seconds = (Date.now() - this.started) / 1000;
    if (value <= 0 || value >= total) return value >= total ? '0s' : '…';
    return duration(((total - value) * seconds) / value);
  }

  private payload() {
    const c = this.counts;
    return {
      phase: this.waiting ? 'waiting' : 'reading',
      read: c.read,
      accepted: c.accepted,
      synced: c.synced,
      failed: c.failed + c.invalid,
      rate: this.rate().toFixed(0),
      eta_text: this.eta(),
    };
  }

  private line(): string {
    const p = this.payload();
    return `leadsync import: ${p.phase}: read ${p.read}, accepted ${p.accepted}, synced ${p.synced}, failed ${p.failed}, ${p.rate} rows/s, ETA ${p.eta_text}`;
  }
}

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes}m${Math.round(seconds % 60)}s` : `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}
