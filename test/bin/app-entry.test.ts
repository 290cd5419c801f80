import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function runApp(planFile: string): { status: number | null; stderr: string; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'edr-app-'));
  const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'bin', 'entmoot-dr.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ drPlan: planFile }), CDK_OUTDIR: outdir },
    timeout: 120_000,
  });
  return { status: run.status, stderr: run.stderr, outdir };
}

describe('the CDK app entry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edr-plans-'));

  it('stops on a bad plan with one line per bad field and no stack trace', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ regions: { primary: 'virginia' }, databases: [{ id: 'entmoot_prod' }] }));
    const { status, stderr, outdir } = runApp(file);
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'The DR plan is invalid:',
      '  - plan.regions.primary: must be an AWS region code such as us-east-1 (got "virginia")',
      '  - plan.databases[0].id: must be an RDS identifier: letters, digits and single hyphens, starting with a letter (got "entmoot_prod")',
    ]);
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(readdirSync(outdir)).toEqual([]);
  });

  it('synthesizes both stacks from the example plan without credentials', () => {
    const { status, outdir, stderr } = runApp(join(ROOT, 'examples', 'dr-plan.example.json'));
    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    expect(readdirSync(outdir)).toEqual(
      expect.arrayContaining(['EntmootDrPrimary.template.json', 'EntmootDrRecovery.template.json']),
    );
  });
});
