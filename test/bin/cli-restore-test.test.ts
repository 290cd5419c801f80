import { EXIT, main } from '../../bin/cli';
import { RESTORE_TEST_ARGS } from '../../bin/cli-restore-test';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('entmoot-dr restore-test', () => {
  it('prints its synopsis for --help and exits 0', async () => {
    const { io: cli, out, err } = io();
    expect(await main(['restore-test', '--help'], cli)).toBe(EXIT.ok);
    expect([out, err]).toEqual([[`usage: entmoot-dr restore-test ${RESTORE_TEST_ARGS}`], []]);
  });

  it('answers a usage mistake with one line and the synopsis, exit 2, before any work', async () => {
    const { io: cli, out, err } = io();
    expect(await main(['restore-test', 'latest.dump', '--jobs', 'many'], cli)).toBe(EXIT.usage);
    expect([out, err]).toEqual([
      [],
      [
        'entmoot-dr restore-test: --jobs must be a whole number from 1 to 64, got "many"',
        `usage: entmoot-dr restore-test ${RESTORE_TEST_ARGS}`,
      ],
    ]);
  });

  it('is listed in the usage with its synopsis', async () => {
    const { io: cli, out } = io();
    await main(['--help'], cli);
    expect(out.join('\n')).toContain(`  restore-test ${RESTORE_TEST_ARGS}\t`);
  });
});
