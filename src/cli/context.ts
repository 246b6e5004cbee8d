import { ServiceApi, serviceSettings } from './service-api.js';
import type { ExitCodeValue } from './exit-codes.js';

/** What every command shares: the service's API, Ctrl-C, and the exit code to end with. */
export interface CliContext {
  api(): ServiceApi;
  /** Aborted on the first Ctrl-C or SIGTERM: long commands stop reading and report what they did. */
  stopSignal: AbortSignal;
  exitCode(code: ExitCodeValue): void;
}

export function cliContext(stopSignal: AbortSignal, setExitCode: (code: ExitCodeValue) => void): CliContext {
  let api: ServiceApi | undefined;
  return {
    api: () => (api ??= new ServiceApi(serviceSettings())),
    stopSignal,
    exitCode: setExitCode,
  };
}
