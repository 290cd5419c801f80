import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, main } from '../../bin/cli';
import { entmootEntries, writeCustomDump } from '../support/dump-writer';

const dir = mkdtempSync(join(tmpdir(), 'edr-cli-'));
const dump = writeCustomDump({ version: '1.14', entries: entmootEntries({ withData: true }), chunkSize: 8192 });

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out, err };
}

describe('entmoot-dr inspect-dump judges a file as the weekly check judges an object', () => {
  it('exits 0 and reports a complete dump as complete', async () => {
    const { code, out } = await run('inspect-dump', file('complete.dump', dump));

    expect(code).toBe(EXIT.ok);
    expect(JSON.parse(out.join('\n')).completeness).toEqual({
      status: 'PASS',
      detail: expect.stringMatching(/ends with the end-of-data marker/),
    });
  });

  it('prints one line and exits 1 for a dump cut inside its data (no end-of-data marker)', async () => {
    const path = file('cut-in-data.dump', dump.subarray(0, dump.length - 2));

    const { code, out, err } = await run('inspect-dump', path);

    expect([code, out]).toEqual([EXIT.problem, []]);
    expect(err).toEqual([
      expect.stringMatching(/^entmoot-dr inspect-dump: .*cut-in-data\.dump: .*not the end-of-data marker.*cut short/),
    ]);
  });

  it('prints one line and exits 1 for a data offset past the end of the file', async () => {
    const toc = await import('../../functions/backup-verification/dump-reader');
    const parsed = await toc.readDumpToc(toc.bufferRangeReader(dump));
    const first = Math.min(...parsed.entries.filter((e) => e.dataState === 'set').map((e) => e.offset as number));
    const path = file('cut-before-data.dump', dump.subarray(0, first + 2));

    const { code, err } = await run('inspect-dump', path);

    expect(code).toBe(EXIT.problem);
    expect(err).toEqual([
      expect.stringMatching(/^entmoot-dr inspect-dump: .*ends at .* bytes, before the data blocks of/),
    ]);
  });

  it('documents the one exit-code table: 0 OK, 1 problem, 2 usage or configuration, 3 could not do its job', () => {
    expect(EXIT).toEqual({ ok: 0, problem: 1, usage: 2, failure: 3 });
  });
});
