import type { WorkflowDescriptor } from '../../../functions/report/evidence';
import { evidenceKey, lastStatusKey } from '../../../functions/report/evidence';
import { SWAP_ATTEMPTS } from '../../../functions/report/last-status';
import { reportRun, type ReportEvent } from '../../../functions/report/report-run';
import { reportUnreportedRun } from '../../../functions/status-change-reporter/report-unreported-run';
import type { CheckResult, CheckStatus } from '../../../functions/shared/check-result';
import { FakeReportDeps } from '../../support/fake-evidence';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const descriptor: WorkflowDescriptor = {
  workflow: 'replication-check',
  title: 'Replication check',
  scenario: 'regionFailure',
  policy: 'onChange',
};
const STATE_KEY = lastStatusKey('replication-check');

const result = (check: string, target: string, status: CheckStatus): CheckResult => ({
  check,
  target,
  status,
  observed: 1,
  threshold: 2,
  detail: `${check} on ${target} is ${status}`,
});
const lag = (status: CheckStatus) => result('replica-lag', 'entmoot-prod-dr-replica', status);
const rule = (status: CheckStatus) => result('s3-replication-rule', 'entmoot-prod-files', status);

/** The hourly run named `run-<hour>`. */
function hour(n: number, results: CheckResult[]): ReportEvent {
  const name = `run-${n}`;
  return {
    descriptor,
    execution: {
      Id: `arn:aws:states:us-east-1:123456789012:execution:edr-replication-check:${name}`,
      Name: name,
      StartTime: `2025-11-10T${String(n).padStart(2, '0')}:00:00.000Z`,
    },
    state: { results },
  };
}

function stored(deps: FakeReportDeps): Record<string, any> {
  return JSON.parse(deps.objects.get(STATE_KEY) ?? '{}') as Record<string, any>;
}

function descriptionOf(deps: FakeReportDeps, i: number): string {
  const message = JSON.parse(deps.published[i]?.message ?? '{}') as { default: string };
  return message.default.split('DESCRIPTION:\n')[1] ?? '';
}

describe('the on-change policy', () => {
  let deps: FakeReportDeps;
  beforeEach(() => {
    deps = new FakeReportDeps();
  });

  it('stays silent on an all-PASS first run and records its outcome with no findings', async () => {
    const out = await reportRun(hour(1, [lag('PASS'), rule('PASS')]), plan, deps);

    expect(out.notified).toBe(false);
    expect(stored(deps)).toMatchObject({ outcome: 'SUCCEEDED', findings: {}, execution: 'run-1' });
  });

  it('announces a first run with a non-PASS result, listing it as new before the results', async () => {
    const out = await reportRun(hour(1, [lag('WARN'), rule('PASS')]), plan, deps);

    expect(out.notified).toBe(true);
    expect(stored(deps).findings).toEqual({ 'replica-lag|entmoot-prod-dr-replica': 'WARN' });
    expect(descriptionOf(deps, 0).split('\n').slice(0, 2)).toEqual([
      'Changes since the last run:',
      'NEW WARN replica-lag entmoot-prod-dr-replica',
    ]);
  });

  it('stays silent in a quiet second hour with the same failure, and records that no notification was needed', async () => {
    await reportRun(hour(1, [lag('FAIL'), rule('PASS')]), plan, deps);

    const second = await reportRun(hour(2, [lag('FAIL'), rule('PASS')]), plan, deps);

    expect(second.notified).toBe(false);
    expect(deps.published).toHaveLength(1);
    expect(deps.record(second.evidenceKey)).toMatchObject({ notification: 'not-required', changes: [] });
  });

  it('announces only the second check when it fails beside the first', async () => {
    await reportRun(hour(1, [lag('FAIL'), rule('PASS')]), plan, deps);

    const second = await reportRun(hour(2, [lag('FAIL'), rule('FAIL')]), plan, deps);

    expect(second.notified).toBe(true);
    expect(deps.record(second.evidenceKey).changes).toEqual([
      { check: 's3-replication-rule', target: 'entmoot-prod-files', from: 'PASS', to: 'FAIL' },
    ]);
    expect(deps.published[1]?.subject).toMatch(/^\[HIGH\] Replication check failed, 1 changed: 2 checks: 2 failed/);
    expect(descriptionOf(deps, 1).split('\n').slice(0, 3)).toEqual([
      'Changes since the last run:',
      'NEW FAIL s3-replication-rule entmoot-prod-files',
      'Replication check ended FAILED with CheckFailedError: replica-lag entmoot-prod-dr-replica: replica-lag on entmoot-prod-dr-replica is FAIL; s3-replication-rule entmoot-prod-files: s3-replication-rule on entmoot-prod-files is FAIL',
    ]);
  });

  it('announces a recovery as informational, naming what was resolved', async () => {
    await reportRun(hour(1, [lag('FAIL'), rule('PASS')]), plan, deps);

    const second = await reportRun(hour(2, [lag('PASS'), rule('PASS')]), plan, deps);

    expect(second).toMatchObject({ outcome: 'SUCCEEDED', notified: true });
    expect(deps.published[1]?.subject).toMatch(/^\[INFO\] Replication check passed/);
    expect(descriptionOf(deps, 1)).toContain('RESOLVED replica-lag entmoot-prod-dr-replica (was FAIL)');
    expect(stored(deps).findings).toEqual({});
  });

  it('announces each change once when two reports interleave: the later swap compares with the earlier', async () => {
    await reportRun(hour(1, [lag('PASS'), rule('PASS')]), plan, deps);
    // Run 3 reads the state, then run 2 swaps in before run 3 writes: run 3's If-Match fails and it compares again.
    deps.beforeConditionalWrite = async (key) => {
      if (key === STATE_KEY) await reportRun(hour(2, [lag('FAIL'), rule('PASS')]), plan, deps);
    };

    const third = await reportRun(hour(3, [lag('FAIL'), rule('WARN')]), plan, deps);

    const second = deps.record(evidenceKey('replication-check', '2025-11-10T02:00:00.000Z', 'run-2'));
    expect(second.changes).toEqual([
      { check: 'replica-lag', target: 'entmoot-prod-dr-replica', from: 'PASS', to: 'FAIL' },
    ]);
    expect(deps.record(third.evidenceKey).changes).toEqual([
      { check: 's3-replication-rule', target: 'entmoot-prod-files', from: 'PASS', to: 'WARN' },
    ]);
    const announced = deps.published.flatMap((_, i) =>
      descriptionOf(deps, i)
        .split('\n')
        .filter((l) => l.startsWith('NEW ')),
    );
    expect(announced).toEqual([
      'NEW FAIL replica-lag entmoot-prod-dr-replica',
      'NEW WARN s3-replication-rule entmoot-prod-files',
    ]);
  });

  it('reads the state again after a 412 and succeeds on the next swap', async () => {
    await reportRun(hour(1, [lag('PASS')]), plan, deps);
    let conflicts = 0;
    deps.beforeConditionalWrite = async (key) => {
      if (key !== STATE_KEY) return;
      conflicts += 1;
      deps.etags.set(STATE_KEY, '"replaced-elsewhere"');
    };

    const out = await reportRun(hour(2, [lag('FAIL')]), plan, deps);

    expect([conflicts, out.notified, stored(deps).execution]).toEqual([1, true, 'run-2']);
  });

  it(`gives up with ThrottledError after ${SWAP_ATTEMPTS} lost swaps, before writing evidence or notifying`, async () => {
    await reportRun(hour(1, [lag('PASS')]), plan, deps);
    const put = deps.putObject;
    let attempts = 0;
    deps.putObject = async (key, body, options) => {
      if (key === STATE_KEY) {
        attempts += 1;
        throw Object.assign(new Error('conflict'), {
          name: 'ConditionalRequestConflict',
          $metadata: { httpStatusCode: 409 },
        });
      }
      return put(key, body, options);
    };

    await expect(reportRun(hour(2, [lag('FAIL')]), plan, deps)).rejects.toMatchObject({ name: 'ThrottledError' });
    expect([attempts, deps.published.length]).toEqual([SWAP_ATTEMPTS, 0]);
  });

  it('reuses its own decision when the report step is retried after its swap', async () => {
    await reportRun(hour(1, [lag('PASS')]), plan, deps);
    deps.publishFailures = 1;
    await expect(reportRun(hour(2, [lag('FAIL')]), plan, deps)).rejects.toMatchObject({ name: 'ThrottledError' });

    const retried = await reportRun(hour(2, [lag('FAIL')]), plan, deps);

    expect(retried.notified).toBe(true);
    expect(deps.published).toHaveLength(1);
  });

  it('reads an old run-level record as a status: the same status stays silent, and the new record holds this run’s findings', async () => {
    deps.objects.set(STATE_KEY, JSON.stringify({ status: 'FAIL', execution: 'old-run' }));
    deps.etags.set(STATE_KEY, '"old"');

    const same = await reportRun(hour(1, [lag('FAIL')]), plan, deps);

    expect(same.notified).toBe(false);
    expect(stored(deps)).toMatchObject({
      schema: 'entmoot-dr/last-status@1',
      findings: { 'replica-lag|entmoot-prod-dr-replica': 'FAIL' },
    });
  });

  it('keeps the findings when a run fails with an error of its own, so the next complete run compares with the last', async () => {
    await reportRun(hour(1, [lag('FAIL')]), plan, deps);
    const throttled = { ...hour(2, []), state: { failure: { Error: 'ThrottledError', Cause: 'rds throttled' } } };

    const failed = await reportRun(throttled, plan, deps);
    const third = await reportRun(hour(3, [lag('FAIL')]), plan, deps);

    expect([failed.notified, third.notified]).toEqual([true, true]);
    expect(deps.record(third.evidenceKey).changes).toEqual([]);
    expect(stored(deps)).toMatchObject({
      outcome: 'FAILED',
      findings: { 'replica-lag|entmoot-prod-dr-replica': 'FAIL' },
    });
  });
});

describe('the status-change reporter under the on-change policy', () => {
  const ended = (n: number, status: 'TIMED_OUT' | 'FAILED') => ({
    descriptor,
    detail: {
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:edr-replication-check:run-${n}`,
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:edr-replication-check',
      name: `run-${n}`,
      status,
      startDate: Date.parse(`2025-11-10T${String(n).padStart(2, '0')}:00:00Z`),
      stopDate: Date.parse(`2025-11-10T${String(n).padStart(2, '0')}:30:00Z`),
      error: status === 'TIMED_OUT' ? null : 'States.Runtime',
    },
  });

  it('swaps the outcome only, keeping the findings, and announces a timeout once, not every hour', async () => {
    const deps = new FakeReportDeps();
    await reportRun(hour(1, [lag('FAIL')]), plan, deps);

    const second = await reportUnreportedRun(ended(2, 'TIMED_OUT'), plan, deps);
    const third = await reportUnreportedRun(ended(3, 'TIMED_OUT'), plan, deps);

    expect([second.notified, third.notified]).toEqual([true, false]);
    expect(deps.record(third.evidenceKey).notification).toBe('not-required');
    expect(stored(deps)).toMatchObject({
      outcome: 'TIMED_OUT',
      error: 'States.Timeout',
      findings: { 'replica-lag|entmoot-prod-dr-replica': 'FAIL' },
    });
  });

  it('announces a run whose report step swapped and then failed, whatever that step decided', async () => {
    const deps = new FakeReportDeps();
    await reportRun(hour(1, [lag('FAIL')]), plan, deps);
    deps.publishFailures = 0;
    const put = deps.putObject;
    deps.putObject = async (key, body, options) => {
      if (key.startsWith('runs/') && key.includes('run-2'))
        throw Object.assign(new Error('boom'), { name: 'InternalError' });
      return put(key, body, options);
    };
    await expect(reportRun(hour(2, [lag('FAIL')]), plan, deps)).rejects.toMatchObject({ name: 'InternalError' });
    deps.putObject = put;

    const out = await reportUnreportedRun(ended(2, 'FAILED'), plan, deps);

    expect([out.action, out.notified]).toEqual(['reported', true]);
  });
});
