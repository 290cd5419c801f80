import { Metrics } from '@aws-lambda-powertools/metrics';
import type { WorkflowDescriptor } from '../../../functions/report/evidence';
import { buildEvidence } from '../../../functions/report/evidence';
import {
  MEASUREMENT_CHECK,
  measure,
  publishMeasurements,
  withMeasurements,
  type MeasurementSpec,
} from '../../../functions/report/measurements';
import { MEASURED_SECONDS, METRICS_NAMESPACE } from '../../../functions/shared/metric-names';
import { configuredPlan } from '../../support/plans';

const plan = configuredPlan();
const rtoSeconds = plan.recoveryTargets.restoreFromBackup.rtoMinutes * 60;
const specs: MeasurementSpec[] = [
  { name: 'restore', from: 'restoreRequested', to: 'available' },
  { name: 'validation', from: 'available', to: 'validated' },
  { name: 'total', from: 'restoreRequested', to: 'validated', target: 'restoreFromBackup' },
];
const at = (seconds: number) => ({ at: new Date(Date.parse('2026-11-01T05:00:00Z') + seconds * 1000).toISOString() });

describe('measure', () => {
  it('computes each duration between its marks and holds the targeted one against the RTO', () => {
    const marks = { restoreRequested: at(0), available: at(1500), validated: at(1620) };

    const { measurements, results } = measure(specs, marks, plan, 'entmoot-prod');

    expect(measurements).toEqual([
      { name: 'restore', seconds: 1500 },
      { name: 'validation', seconds: 120 },
      { name: 'total', seconds: 1620, targetSeconds: rtoSeconds },
    ]);
    expect(results).toEqual([]);
  });

  it('omits a measurement whose mark the run never reached', () => {
    const { measurements } = measure(specs, { restoreRequested: at(0), available: at(900) }, plan, 'entmoot-prod');

    expect(measurements.map((m) => m.name)).toEqual(['restore']);
  });

  it('adds a FAIL naming the measurement when it exceeds its target by a second', () => {
    const marks = { restoreRequested: at(0), available: at(rtoSeconds - 60), validated: at(rtoSeconds + 1) };

    const { results } = measure(specs, marks, plan, 'entmoot-prod');

    expect(results).toEqual([
      {
        check: MEASUREMENT_CHECK,
        target: 'entmoot-prod',
        status: 'FAIL',
        observed: rtoSeconds + 1,
        threshold: rtoSeconds,
        detail: `total took ${rtoSeconds + 1} s, over the ${plan.recoveryTargets.restoreFromBackup.title} RTO of ${rtoSeconds} s`,
      },
    ]);
  });

  it('passes a total exactly at the RTO', () => {
    const marks = { restoreRequested: at(0), available: at(10), validated: at(rtoSeconds) };

    expect(measure(specs, marks, plan, 'x').results).toEqual([]);
  });
});

describe('withMeasurements', () => {
  const descriptor: WorkflowDescriptor = {
    workflow: 'snapshot-restore-test-db',
    title: 'Snapshot restore test',
    scenario: 'restoreFromBackup',
    policy: 'onFailure',
    measurements: specs,
  };

  it('fails the run through its results when the total is over the RTO, and the evidence records met: false', () => {
    const state = withMeasurements(
      { target: 'entmoot-prod', marks: { restoreRequested: at(0), available: at(10), validated: at(rtoSeconds + 5) } },
      descriptor,
      plan,
    );
    const record = buildEvidence({
      descriptor,
      execution: { Id: 'arn', Name: 'run', StartTime: at(0).at },
      state,
      steps: [],
      endedAt: new Date(),
      reportedBy: 'workflow',
    });

    expect(record.outcome).toBe('FAILED');
    expect(record.error?.name).toBe('CheckFailedError');
    expect(record.measurements.find((m) => m.name === 'total')).toEqual({
      name: 'total',
      seconds: rtoSeconds + 5,
      targetSeconds: rtoSeconds,
      met: false,
    });
    expect(record.measurements.find((m) => m.name === 'restore')?.met).toBe(true);
  });

  it('leaves the state as it was for a workflow that measures nothing', () => {
    const state = { marks: { a: at(0) } };

    expect(withMeasurements(state, { ...descriptor, measurements: undefined }, plan)).toBe(state);
  });
});

describe('publishMeasurements', () => {
  it('emits MeasuredSeconds with exactly the Workflow and Measurement dimensions (no service)', () => {
    const lines: string[] = [];
    const saved = { ...process.env };
    delete process.env.POWERTOOLS_DEV;
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'report' });
    process.env = saved;
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
    try {
      publishMeasurements(metrics, 'snapshot-restore-test-db', [{ name: 'total', seconds: 1620, targetSeconds: 3600 }]);
    } finally {
      spy.mockRestore();
    }
    const emf = lines.map((l) => JSON.parse(l));

    expect(emf).toHaveLength(1);
    expect(emf[0]._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'EntmootDR',
        Dimensions: [[MEASURED_SECONDS.dimensions.workflow, MEASURED_SECONDS.dimensions.measurement]],
        Metrics: [{ Name: 'MeasuredSeconds', Unit: 'Seconds' }],
      },
    ]);
    expect(emf[0]).toMatchObject({ Workflow: 'snapshot-restore-test-db', Measurement: 'total', MeasuredSeconds: 1620 });
  });
});
