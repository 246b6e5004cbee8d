import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StateFileError } from '../../src/sandbox/persistence/state-file.js';
import { StateSaver } from '../../src/sandbox/persistence/state-saver.js';
import { eventually } from '../helpers/service.js';

/** A saver over a real file whose text is `{"n":<value>}`, counting how often it was asked for the text. */
function counting(file: string) {
  const probe = { value: 0, writes: 0, errors: [] as Error[] };
  const saver = new StateSaver({
    file,
    intervalMs: 200,
    serialise: () => {
      probe.writes += 1;
      return JSON.stringify({ n: probe.value });
    },
    onError: (error) => probe.errors.push(error),
  });
  return { saver, probe };
}

const onDisk = async (file: string): Promise<number> => (JSON.parse(await readFile(file, 'utf8')) as { n: number }).n;

void describe('sandbox state saver', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sandbox-saver-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it('writes a burst of changes once, writes later changes again, and close() writes what is left', async () => {
    const file = path.join(dir, 'burst', 'state.json');
    const { saver, probe } = counting(file);
    probe.value = 1;
    for (let i = 0; i < 50; i += 1) saver.changed();
    assert.equal(probe.writes, 0, 'nothing is written on the request path');
    await eventually(async () => (await onDisk(file)) === 1, { what: 'the first write' });
    assert.equal(probe.writes, 1, 'fifty changes, one write');

    probe.value = 2;
    saver.changed();
    await eventually(async () => (await onDisk(file)) === 2, { what: 'the write of a later change' });
    assert.equal(probe.writes, 2);

    probe.value = 3;
    for (let i = 0; i < 10; i += 1) saver.changed();
    await saver.close();
    assert.equal(await onDisk(file), 3, 'close() writes the changes its timer had not written yet');
    assert.equal(probe.writes, 3);
    saver.changed();
    assert.deepEqual(await readdir(path.dirname(file)), ['state.json'], 'no temporary file is left behind');
    assert.deepEqual(probe.errors, []);
  });

  void it('close() with nothing changed writes nothing', async () => {
    const file = path.join(dir, 'quiet.json');
    const { saver, probe } = counting(file);
    await saver.close();
    assert.equal(probe.writes, 0);
    await assert.rejects(readFile(file), { code: 'ENOENT' });
  });

  void it('reports a failed write, tries again on the next change, and close() rejects naming the file', async () => {
    const blocker = path.join(dir, 'not-a-directory');
    await writeFile(blocker, 'x');
    const file = path.join(blocker, 'state.json');
    const { saver, probe } = counting(file);
    await assert.rejects(saver.writeNow(), (error: Error) => {
      assert.ok(error instanceof StateFileError);
      assert.equal(error.file, file);
      assert.match(error.message, new RegExp(`^sandbox state file ${file} cannot be written \\(`));
      return true;
    });
    saver.changed();
    await eventually(() => probe.errors.length === 1, { what: 'the failed write to be reported' });
    saver.changed();
    await eventually(() => probe.errors.length === 2, { what: 'the next change to try again' });
    await assert.rejects(saver.close(), (error: Error) => error.message.includes(file));
  });
});
