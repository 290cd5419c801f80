import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const example = () => JSON.parse(readFileSync(join(ROOT, 'examples', 'dr-plan.example.json'), 'utf8'));

/** Runs the app entry as `npx cdk synth -c drPlan=<file>` does: context and output folder from the CLI's variables. */
function synth(planFile: string): { status: number | null; stderr: string; written: string[] } {
  const outdir = mkdtempSync(join(tmpdir(), 'edr-app-'));
  const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'bin', 'entmoot-dr.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ drPlan: planFile }), CDK_OUTDIR: outdir },
    timeout: 180_000,
  });
  return { status: run.status, stderr: run.stderr, written: readdirSync(outdir) };
}

describe('the app entry, given a plan AWS would refuse', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edr-refused-'));

  it('prints one line per field, exits non-zero, shows no stack trace and writes no template', () => {
    // Prepare: one mistake of each kind the issue names.
    const file = join(dir, 'refused.json');
    const plan = example();
    plan.buckets = [
      { name: 'entmoot-prod-backups', role: 'backups' },
      { name: '10.0.0.1', role: 'files' },
    ];
    plan.regions = { primary: 'us-east-1', recovery: 'us-west-9' };
    plan.approvers[0].arn = 'arn:aws:iam::123456789012:group/sre';
    plan.schedules = { janitor: 'cron(0 25 * * ? *)' };
    plan.notifications.emails = ['sre-oncall@entmoot.io', 'sre-oncall@entmoot.io'];
    plan.workload = { dumpRestore: { cpu: 1024, memoryMiB: 16384 } };
    plan.backups = {
      verification: { warnAtFraction: 80 },
      validationQueries: [{ name: 'q', sql: 'SELECT 1; DROP TABLE projects' }],
    };
    writeFileSync(file, JSON.stringify(plan));

    // Act
    const { status, stderr, written } = synth(file);

    // Assess
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'The DR plan is invalid:',
      '  - plan.regions.recovery: must be an AWS region code such as us-east-1 (got "us-west-9")',
      '  - plan.backups.verification.warnAtFraction: must be a fraction between 0 and 1, such as 0.8 (got 80)',
      '  - plan.backups.validationQueries[0].sql: must be a read-only SELECT (or WITH) query: one statement only (a semicolon may only end it) (got "SELECT 1; DROP TABLE projects")',
      '  - plan.buckets[1].name: must be an S3 bucket name: must not be formatted as an IP address (got "10.0.0.1")',
      '  - plan.schedules.janitor: must be an EventBridge schedule expression: the hours value "25" is not supported: expected 0-23 (got "cron(0 25 * * ? *)")',
      '  - plan.approvers[0].arn: must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name> or :user/<name>); not a group, an sts session or an ARN without its resource type (got "arn:aws:iam::123456789012:group/sre")',
      '  - plan.notifications.emails[1]: "sre-oncall@entmoot.io" is listed twice (addresses ignore case): list each subscriber once',
      '  - plan.workload.dumpRestore.memoryMiB: must be a memory Fargate accepts with 1024 CPU units: 2048-8192 MiB in steps of 1024 (got 16384)',
    ]);
    expect(stderr).not.toMatch(/\bat .*\.[jt]s:\d+/);
    expect(written).toEqual([]);
  });

  it('names a file that holds no JSON object, and one that is not UTF-8, in one line each', () => {
    const array = join(dir, 'array.json');
    writeFileSync(array, '[{"account":"123456789012"}]');
    const binary = join(dir, 'binary.json');
    writeFileSync(binary, Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]));

    const runs = [synth(array), synth(binary)];

    expect(runs.map((r) => [r.status, r.stderr.trim().split('\n'), r.written])).toEqual([
      [
        1,
        ['The DR plan is invalid:', `  - plan file ${array} holds an array: it must hold a JSON object such as {}`],
        [],
      ],
      [1, ['The DR plan is invalid:', `  - plan file ${binary} is not UTF-8 text: save it as UTF-8 JSON`], []],
    ]);
  });

  it('synthesizes a plan at the limits: 63-character ids, a WITH query with comments and a trailing semicolon', () => {
    const file = join(dir, 'limits.json');
    const plan = example();
    const id = `a${'b'.repeat(62)}`;
    const bucket = `b${'c'.repeat(61)}d`;
    plan.databases[0] = { ...plan.databases[0], id, backupBucket: bucket, replica: `r${'s'.repeat(62)}` };
    plan.databases[0].drReplica = `d${'e'.repeat(62)}`;
    plan.buckets = [{ name: bucket, role: 'backups' }];
    plan.backups = {
      validationQueries: [
        {
          name: 'recent_projects',
          sql: "-- read-only\nWITH recent AS (SELECT * FROM projects /* ; */ WHERE name <> 'a;b') SELECT count(*) FROM recent;",
        },
      ],
    };
    writeFileSync(file, JSON.stringify(plan));

    const { status, stderr, written } = synth(file);

    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    expect(written).toEqual(
      expect.arrayContaining(['EntmootDrPrimary.template.json', 'EntmootDrRecovery.template.json']),
    );
  });
});
