import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { projectRoot } from '../../src/project-paths.js';
import { installQuietRuntime } from '../helpers/temporal-server.js';
import { workflowBundle } from '../helpers/temporal.js';

const dir = path.join(projectRoot, 'test', 'fixtures', 'histories');

describe('recorded histories replay on the current workflow code', () => {
  it('every run of the lead and connection workflows in test/fixtures/histories replays without a determinism error', async () => {
    installQuietRuntime();
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
    assert.ok(files.some((f) => f.startsWith('lead-')) && files.some((f) => f.startsWith('connection-')), files.join());
    const histories = await Promise.all(
      files.map(async (file) => ({
        workflowId: file,
        history: historyFromJSON(JSON.parse(await readFile(path.join(dir, file), 'utf8'))),
      })),
    );
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      results.push({ file: result.workflowId, error: result.error ? String(result.error) : undefined });
    }
    assert.equal(results.length, files.length);
    assert.deepEqual(
      results.filter((r) => r.error),
      [],
    );
  });
});
