/**
 * Every alarm on one of our metrics must watch exactly what the real publishing code emits: CloudWatch matches
 * namespace, metric name and the whole dimension set, so one extra dimension (Powertools' default `service`)
 * leaves an alarm in INSUFFICIENT_DATA forever. For each such alarm in both synthesized stacks, the metric is
 * emitted through the publishing module, loaded with its function's own environment from the template.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { DrFunction } from '../../lib/dr-function';
import type { DrStack } from '../../lib/dr-stack';
import { RecoveryStack } from '../../lib/recovery-stack';
import { failoverSwitchMetricData } from '../../functions/shared/metric-names';
import { synthesize } from '../support/synth';

interface Watched {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
}

/** How each of our metrics is published: the function that publishes it, and a call of the real publishing code. */
const PUBLISHERS: Record<
  string,
  { fn: (stack: DrStack) => DrFunction; emit: (m: Metrics, dims: Record<string, string>) => void }
> = {
  CheckFailed: {
    // Every check publishes through the same module; the stack's own checker loads it with its environment.
    fn: (stack) =>
      stack instanceof RecoveryStack
        ? stack.failoverReadiness.checkBatchFunction
        : (stack as DrStack & { backupVerification: { checkTargetFunction: DrFunction } }).backupVerification
            .checkTargetFunction,
    emit: (metrics, dims) => {
      const { publishCheckMetrics } = require('../../functions/shared/check-metrics');
      publishCheckMetrics(metrics, [
        { check: dims.Check, target: 'entmoot-prod', status: 'FAIL', observed: 30, threshold: 24, detail: 'old' },
      ]);
    },
  },
  ChecksRun: {
    fn: (stack) =>
      (stack as DrStack & { replicationCheck: { checkBatchFunction: DrFunction } }).replicationCheck.checkBatchFunction,
    emit: (metrics, dims) => {
      const { publishChecksRun } = require('../../functions/shared/check-metrics');
      publishChecksRun(metrics, dims.Workflow, [
        { check: 's3-replication-rule', target: 'b', status: 'PASS', observed: null, threshold: null, detail: '' },
      ]);
    },
  },
  HoursSinceSuccess: {
    fn: (stack) => stack.freshness.function,
    emit: (metrics, dims) => {
      const { publishFreshness } = require('../../functions/freshness/publish');
      publishFreshness(
        [
          {
            job: dims.Job,
            stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:edr-x',
            hoursSinceSuccess: 40,
            lastSuccessAt: null,
            overdue: true,
            result: { check: 'freshness', target: dims.Job, status: 'FAIL', observed: 40, threshold: 30, detail: '' },
          },
        ],
        metrics,
      );
    },
  },
};

function alarmsOnOurMetrics(template: Template): Watched[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map(
      (r) =>
        r.Properties as { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] },
    )
    .filter((p) => p.Namespace === 'EntmootDR')
    .map((p) => ({
      namespace: p.Namespace!,
      metricName: p.MetricName!,
      dimensions: Object.fromEntries((p.Dimensions ?? []).map((d) => [d.Name, d.Value])),
    }));
}

/** The function's environment variables as the template gives them (plain strings only). */
function environmentOf(stack: DrStack, template: Template, fn: DrFunction): Record<string, string> {
  const id = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
  const vars = template.toJSON().Resources[id].Properties.Environment.Variables as Record<string, unknown>;
  const plain = Object.entries(vars).filter((e): e is [string, string] => typeof e[1] === 'string');
  // Lambda sets AWS_REGION: the stack's region.
  return { ...Object.fromEntries(plain), AWS_REGION: stack.region };
}

/** Loads functions/shared/powertools.ts in a fresh module registry under `env`, emits, flushes, returns EMF records. */
function emitAsDeployed(env: Record<string, string>, emit: (m: Metrics) => void): Record<string, unknown>[] {
  const saved = process.env;
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  process.env = { ...saved, POWERTOOLS_DEV: undefined, ...env };
  try {
    jest.isolateModules(() => {
      const { metrics } = require('../../functions/shared/powertools') as { metrics: Metrics };
      emit(metrics);
      metrics.publishStoredMetrics();
    });
  } finally {
    process.env = saved;
    spy.mockRestore();
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => '_aws' in r);
}

/** What each EMF record publishes, in the alarm's terms: one entry per metric name in the record. */
function published(records: Record<string, unknown>[]): Watched[] {
  return records.flatMap((record) => {
    const { CloudWatchMetrics } = record._aws as {
      CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
    };
    return CloudWatchMetrics.flatMap((d) =>
      d.Metrics.flatMap((m) =>
        d.Dimensions.map((set) => ({
          namespace: d.Namespace,
          metricName: m.Name,
          dimensions: Object.fromEntries(set.map((name) => [name, String(record[name])])),
        })),
      ),
    );
  });
}

describe('metrics and alarms agree', () => {
  const { stacks, primary, recovery } = synthesize();
  const cases = [
    ['primary', stacks.primary, primary],
    ['recovery', stacks.recovery, recovery],
  ] as const;

  it.each(cases)('every alarm of the %s stack on an EntmootDR metric has a publisher', (_, __, template) => {
    const unknown = alarmsOnOurMetrics(template).filter((a) => !(a.metricName in PUBLISHERS));
    expect(unknown).toEqual([]);
  });

  it('covers the per-check and freshness alarms of both stacks', () => {
    expect(
      alarmsOnOurMetrics(primary)
        .map((a) => a.metricName)
        .sort(),
    ).toEqual([...Array(31).fill('CheckFailed'), 'ChecksRun', ...Array(6).fill('HoursSinceSuccess')]);
    expect(
      alarmsOnOurMetrics(recovery)
        .map((a) => a.metricName)
        .sort(),
    ).toEqual([...Array(6).fill('CheckFailed'), ...Array(2).fill('HoursSinceSuccess')]);
  });

  it.each(cases)(
    'every alarm of the %s stack sees exactly the namespace, metric and dimension set its publisher emits',
    (_, stack, template) => {
      for (const alarm of alarmsOnOurMetrics(template)) {
        const publisher = PUBLISHERS[alarm.metricName]!;
        const env = environmentOf(stack, template, publisher.fn(stack));

        const emitted = published(emitAsDeployed(env, (m) => publisher.emit(m, alarm.dimensions))).filter(
          (p) => p.metricName === alarm.metricName,
        );

        expect(emitted).toEqual([alarm]);
      }
    },
  );
});

describe('the failover switch alarm and what the regional failover publishes agree', () => {
  const { stacks, recovery } = synthesize();
  const control = stacks.recovery.plan.dns.control;

  it.each([
    ['primary active', true],
    ['fail over', false],
  ])('the alarm watches exactly the namespace, metric, (empty) dimension set and resolution of "%s"', (_, active) => {
    if (control.kind !== 'healthCheckAlarm') throw new Error('the configured plan must use a healthCheckAlarm switch');
    const alarms = Object.values(recovery.findResources('AWS::CloudWatch::Alarm'))
      .map((r) => r.Properties)
      .filter((p) => p.AlarmName === control.alarmName);

    const { Namespace, MetricData } = failoverSwitchMetricData(control, active, new Date('2026-01-01T00:00:00Z'));

    expect(
      alarms.map((a) => ({
        namespace: a.Namespace,
        metricName: a.MetricName,
        dimensions: a.Dimensions ?? [],
        period: a.Period,
      })),
    ).toEqual(
      MetricData.map((d) => ({
        namespace: Namespace,
        metricName: d.MetricName,
        dimensions: d.Dimensions,
        period: d.StorageResolution,
      })),
    );
  });
});
