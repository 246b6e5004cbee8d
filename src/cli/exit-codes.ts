/** What `leadsync` exits with; scripts may rely on these, the README lists them. */
export const ExitCode = {
  ok: 0,
  /** The command ran, but not everything made it (bad or failed rows, rows still pending, a failed lead). */
  incomplete: 1,
  /** Bad arguments, an unreadable file or CSV header, or input the service refused. */
  usage: 2,
  /** The service could not be reached or could not reach Temporal; running the command again is safe. */
  unavailable: 3,
  /** No lead with that email in the portal. */
  notFound: 4,
  /** LEADSYNC_API_KEY is missing or wrong. */
  unauthorized: 5,
  /** Stopped by Ctrl-C or SIGTERM. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the CLI reports in one line and turns into its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
