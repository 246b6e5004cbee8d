import type { ServiceApi } from '../service-api.js';
import { BatchSender, type ImportLead } from './batch-sender.js';
import { csvRows } from './csv-rows.js';
import { ErrorFile } from './error-file.js';
import { fileId } from './file-id.js';
import { OutcomeTracker } from './outcome-tracker.js';
import { ImportProgress, type ImportCounts } from './progress.js';

export interface ImportOptions {
  file: string;
  mapping: Map<string, string>;
  skipped: Set<string>;
  wait: boolean;
  errorsFile?: string;
  portalId?: string;
  batchSize: number;
  maxInFlight: number;
  /** Rows sent but not yet synced or failed, at most. */
  window: number;
  /** Only read and check the file; send nothing. */
  checkOnly?: boolean;
  progress: { enabled: boolean; tty: boolean };
  /** Set when the user stops the import: no further rows are read. */
  signal?: AbortSignal;
}

export interface ImportSummary {
  file: string;
  fileId: string;
  rows: number;
  accepted: number;
  invalid: number;
  /** Rows whose event reached HubSpot (or was already there from an earlier run). */
  synced: number;
  failed: number;
  /** Accepted rows not yet synced or failed when the command ended (without --wait, at most the window). */
  pending: number;
  complete: boolean;
  /** `--check`: the rows were only read and checked; `accepted` counts the valid ones. */
  checkOnly: boolean;
  interrupted: boolean;
  seconds: number;
  rowsPerSecond: number;
  errorsFile?: string;
}

/** Each look at the oldest outstanding rows names this many, and comes at least this long after the last one. */
const CHECK_ROWS = 500;
const LOOK_INTERVAL_MS = 250;

/**
 * `leadsync import`: read, check, send in batches, and with --wait follow every accepted row until it is synced or
 * failed. A row's event id names the file's content and the row, so running the file again is safe and cheap.
 */
export async function runImport(api: ServiceApi, options: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const { id, bytes } = await fileId(options.file);
  const counts: ImportCounts = {
    read: 0,
    invalid: 0,
    accepted: 0,
    synced: 0,
    failed: 0,
    bytesRead: 0,
    totalBytes: bytes,
  };
  let errors: ErrorFile | undefined;
  const reject = (
    lead: Pick<ImportLead, 'row' | 'line'>,
    issues: Array<{ field: string; message: string }>,
    values?: string[],
  ) => errors?.add(lead, issues, values);

  const tracker = new OutcomeTracker(
    api,
    {
      synced: () => counts.synced++,
      failed: (lead, reason) => {
        counts.failed++;
        reject(lead, [reason], lead.values);
      },
    },
    options.portalId,
  );
  const sender = new BatchSender(
    api,
    {
      accepted: (lead) => {
        counts.accepted++;
        tracker.add(lead);
      },
      rejected: (lead, issues) => {
        counts.invalid++;
        refused++;
        reject(lead, issues, lead.values);
      },
    },
    { batchSize: options.batchSize, maxInFlight: options.maxInFlight, portalId: options.portalId },
  );
  let progress: ImportProgress | undefined;
  let handed = 0;
  let refused = 0;
  // Looks are spaced out: each one costs Temporal a few visibility queries, and the rows settle meanwhile anyway.
  let lastLook = 0;
  const look = async () => {
    await pause(Math.max(0, lastLook + LOOK_INTERVAL_MS - Date.now()), options.signal);
    lastLook = Date.now();
    await tracker.check(CHECK_ROWS);
  };
  const unsettled = () => handed - refused - counts.synced - counts.failed;
  // At most a window of rows is on its way at any time: more would leave more lead workflows with work than the
  // worker caches, and each would be replayed from its history, which is slower than waiting here.
  const throttle = async () => {
    while (unsettled() >= options.window && !options.signal?.aborted) {
      if (tracker.size === 0) await sender.drain();
      else await look();
    }
  };
  try {
    const rows = csvRows(options.file, {
      mapping: options.mapping,
      skipped: options.skipped,
      fileId: id,
      onBytes: (b) => (counts.bytesRead = b),
      onHeader: (header) => {
        if (options.errorsFile) errors = new ErrorFile(options.errorsFile, header);
        progress = new ImportProgress(counts, { ...options.progress, wait: options.wait });
      },
    });
    for await (const row of rows) {
      counts.read++;
      if (row.ok && options.checkOnly) {
        counts.accepted++;
      } else if (row.ok) {
        await throttle();
        if (options.signal?.aborted) break;
        handed++;
        await sender.add({ ...row.lead, row: row.row, line: row.line, values: row.values });
      } else {
        counts.invalid++;
        reject(row, row.issues, row.values);
      }
    }
    await sender.drain();
    progress?.readingDone();
    while (options.wait && tracker.size > 0 && !options.signal?.aborted) await look();
  } finally {
    progress?.stop();
    await errors?.close();
  }
  const seconds = (Date.now() - started) / 1000;
  const interrupted = options.signal?.aborted ?? false;
  const done = options.wait && !options.checkOnly ? counts.synced : counts.accepted;
  return {
    file: options.file,
    fileId: id,
    rows: counts.read,
    accepted: counts.accepted,
    invalid: counts.invalid,
    synced: counts.synced,
    failed: counts.failed,
    pending: tracker.size,
    checkOnly: options.checkOnly ?? false,
    complete: !interrupted && counts.invalid + counts.failed === 0 && done === counts.read,
    interrupted,
    seconds: Math.round(seconds * 100) / 100,
    rowsPerSecond: Math.round((done / Math.max(seconds, 0.001)) * 10) / 10,
    ...(options.errorsFile ? { errorsFile: options.errorsFile } : {}),
  };
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}
