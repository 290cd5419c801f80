import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import {
  EndpointTemporarilyUnavailableException,
  GetRoutingControlStateCommand,
  ResourceNotFoundException,
  Route53RecoveryClusterClient,
} from '@aws-sdk/client-route53-recovery-cluster';
import { mockClient } from 'aws-sdk-client-mock';
import { checkDnsControl } from '../../../functions/failover-readiness/check-dns-control';
import { arcClient } from '../../../functions/shared/arc-routing-control';
import { ThrottledError } from '../../../functions/shared/errors';
import type { DrPlanInput } from '../../../lib/plan';
import { configuredPlan, examplePlanInput } from '../../support/plans';

const PANEL = 'arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef0123456789abcdef';
const PRIMARY = `${PANEL}/routingcontrol/aaaaaaaaaaaaaaaa`;
const RECOVERY = `${PANEL}/routingcontrol/bbbbbbbbbbbbbbbb`;
const ENDPOINTS = [
  { region: 'us-east-1', url: 'https://host-aaaaaa.us-east-1.example.com/v1' },
  { region: 'us-west-2', url: 'https://host-bbbbbb.us-west-2.example.com/v1' },
  { region: 'eu-west-1', url: 'https://host-cccccc.eu-west-1.example.com/v1' },
];
const withControl = (control: NonNullable<DrPlanInput['dns']>['control']) =>
  configuredPlan({ dns: { ...examplePlanInput().dns, control } });
const arcPlan = withControl({
  kind: 'arc',
  clusterEndpoints: ENDPOINTS,
  primaryRoutingControlArn: PRIMARY,
  recoveryRoutingControlArn: RECOVERY,
});
const alarmPlan = (createdByStack = true) =>
  withControl({
    kind: 'healthCheckAlarm',
    alarmName: 'edr-primary-region-active',
    metricNamespace: 'EntmootDR/Failover',
    metricName: 'PrimaryRegionActive',
    createdByStack,
  });

const arc = mockClient(Route53RecoveryClusterClient);
const recoveryCloudWatch = new CloudWatchClient({ region: 'us-west-2' });
const cloudwatch = mockClient(recoveryCloudWatch);
const deps = { arcClient, recoveryCloudWatch };

/** States by routing control; hosts listed in `down` answer EndpointTemporarilyUnavailable. Returns the call log. */
function controls(states: Record<string, 'On' | 'Off'>, down: string[] = []) {
  const calls: string[] = [];
  arc.on(GetRoutingControlStateCommand).callsFake(async (input, getClient) => {
    const host = (await getClient().config.endpoint?.())?.hostname ?? '';
    calls.push(`${host} ${input.RoutingControlArn === PRIMARY ? 'primary' : 'recovery'}`);
    if (down.includes(host)) throw new EndpointTemporarilyUnavailableException({ message: 'down', $metadata: {} });
    return { RoutingControlArn: input.RoutingControlArn, RoutingControlState: states[input.RoutingControlArn] };
  });
  return calls;
}

beforeEach(() => {
  arc.reset();
  cloudwatch.reset();
});

describe('checkDnsControl with ARC routing controls', () => {
  it('passes with primary On and recovery Off, naming the endpoint that answered and the one that did not', async () => {
    const calls = controls({ [PRIMARY]: 'On', [RECOVERY]: 'Off' }, ['host-aaaaaa.us-east-1.example.com']);

    const [result] = await checkDnsControl(arcPlan, deps);

    expect(result).toEqual({
      check: 'dns-control',
      target: PRIMARY,
      status: 'PASS',
      observed: 'primary On, recovery Off',
      threshold: 'primary On, recovery Off',
      detail: `the primary region receives traffic (answered by us-west-2 (${ENDPOINTS[1]!.url}); not answering: us-east-1 (${ENDPOINTS[0]!.url}): EndpointTemporarilyUnavailableException: down)`,
    });
    // The second control is read first where the first was answered.
    expect(calls).toEqual([
      'host-aaaaaa.us-east-1.example.com primary',
      'host-bbbbbb.us-west-2.example.com primary',
      'host-bbbbbb.us-west-2.example.com recovery',
    ]);
  });

  it('fails when the recovery control is On: traffic already goes to the recovery region', async () => {
    controls({ [PRIMARY]: 'Off', [RECOVERY]: 'On' });

    const [result] = await checkDnsControl(arcPlan, deps);

    expect(result).toMatchObject({ status: 'FAIL', observed: 'primary Off, recovery On' });
    expect(result?.detail).toMatch(/^traffic already goes to the recovery region/);
  });

  it('fails when both controls are Off', async () => {
    controls({ [PRIMARY]: 'Off', [RECOVERY]: 'Off' });

    const [result] = await checkDnsControl(arcPlan, deps);

    expect(result?.status).toBe('FAIL');
    expect(result?.detail).toMatch(/^both routing controls are Off/);
  });

  it('fails naming every endpoint when none answers', async () => {
    controls(
      {},
      ENDPOINTS.map((e) => new URL(e.url).hostname),
    );

    const [result] = await checkDnsControl(arcPlan, deps);

    expect(result).toMatchObject({ status: 'FAIL', observed: null });
    expect(result?.detail).toBe(
      `no cluster endpoint answered for the primary routing control ${PRIMARY} (${ENDPOINTS.map((e) => `${e.region} (${e.url}): EndpointTemporarilyUnavailableException: down`).join('; ')}): a failover could not flip it now`,
    );
  });

  it('fails naming a routing control that does not exist, without trying other endpoints', async () => {
    arc.on(GetRoutingControlStateCommand, { RoutingControlArn: PRIMARY }).resolves({ RoutingControlState: 'On' });
    arc.on(GetRoutingControlStateCommand, { RoutingControlArn: RECOVERY }).rejects(
      new ResourceNotFoundException({
        message: 'no such control',
        resourceId: RECOVERY,
        resourceType: 'x',
        $metadata: {},
      }),
    );

    const [result] = await checkDnsControl(arcPlan, deps);

    expect(result).toMatchObject({ status: 'FAIL', observed: 'primary On' });
    expect(result?.detail).toBe(
      `the recovery routing control ${RECOVERY} could not be read: us-east-1 (${ENDPOINTS[0]!.url}) answered ResourceNotFoundException: no such control; check dns.control.recoveryRoutingControlArn`,
    );
    expect(arc.commandCalls(GetRoutingControlStateCommand)).toHaveLength(2);
  });
});

const GOOD_ALARM: MetricAlarm = {
  AlarmName: 'edr-primary-region-active',
  Namespace: 'EntmootDR/Failover',
  MetricName: 'PrimaryRegionActive',
  Dimensions: [],
  Period: 60,
  Statistic: 'Minimum',
  ComparisonOperator: 'LessThanThreshold',
  Threshold: 1,
  TreatMissingData: 'missing',
  StateValue: 'OK',
};
const alarmIs = (alarm: MetricAlarm | undefined) =>
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: alarm ? [alarm] : [] });

describe('checkDnsControl with a health-check alarm', () => {
  it('passes for a standard-resolution Minimum alarm, missing data missing, not in ALARM', async () => {
    alarmIs(GOOD_ALARM);

    const results = await checkDnsControl(alarmPlan(), deps);

    expect(results).toEqual([
      {
        check: 'dns-control',
        target: 'edr-primary-region-active',
        status: 'PASS',
        observed: 'OK',
        threshold: 'not in ALARM',
        detail:
          'alarm edr-primary-region-active in us-west-2 is OK, on EntmootDR/Failover/PrimaryRegionActive, as Route 53 can watch it',
      },
    ]);
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)[0]?.args[0].input).toEqual({
      AlarmNames: ['edr-primary-region-active'],
      AlarmTypes: ['MetricAlarm'],
    });
  });

  it('passes in INSUFFICIENT_DATA, the state between publications', async () => {
    alarmIs({ ...GOOD_ALARM, StateValue: 'INSUFFICIENT_DATA' });

    const [result] = await checkDnsControl(alarmPlan(), deps);

    expect(result).toMatchObject({ status: 'PASS', observed: 'INSUFFICIENT_DATA' });
  });

  it('fails in ALARM: traffic already goes to the recovery region', async () => {
    alarmIs({ ...GOOD_ALARM, StateValue: 'ALARM' });

    const [result] = await checkDnsControl(alarmPlan(), deps);

    expect(result).toMatchObject({ status: 'FAIL', observed: 'ALARM' });
    expect(result?.detail).toMatch(/traffic already goes to the recovery region$/);
  });

  it.each<[string, Partial<MetricAlarm> | undefined, string]>([
    ['it does not exist', undefined, 'alarm edr-primary-region-active does not exist'],
    ['its period is below 60 s', { Period: 10 }, 'its period is 10 s: Route 53 needs a standard-resolution alarm'],
    ['it uses a percentile', { Statistic: undefined, ExtendedStatistic: 'p99' }, 'extended statistic p99'],
    ['missing data is breaching', { TreatMissingData: 'breaching' }, 'it treats missing data as breaching'],
    ['it watches another metric', { MetricName: 'Other' }, 'it watches EntmootDR/Failover/Other'],
    [
      'publishing 1 would put it in ALARM',
      { ComparisonOperator: 'GreaterThanThreshold', Threshold: 0 },
      'it compares GreaterThanThreshold 0: publishing 0 (fail over) must put it in ALARM and 1 (primary active) must not',
    ],
    ['it has no threshold', { Threshold: undefined }, 'it has no comparison with a threshold'],
    ['it watches dimensions', { Dimensions: [{ Name: 'Region', Value: 'us-east-1' }] }, 'dimensions Region=us-east-1'],
  ])('fails when %s', async (_, change, expected) => {
    alarmIs(change ? { ...GOOD_ALARM, ...change } : undefined);

    const [result] = await checkDnsControl(alarmPlan(), deps);

    expect(result?.status).toBe('FAIL');
    expect(result?.detail).toContain(expected);
  });

  it('fails naming the permission when DescribeAlarms is denied', async () => {
    cloudwatch.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

    const [result] = await checkDnsControl(alarmPlan(), deps);

    expect(result?.detail).toBe(
      "cannot read alarm edr-primary-region-active in us-west-2: the function's role needs cloudwatch:DescribeAlarms",
    );
  });

  it('accepts LessThanOrEqualToThreshold 0.5, which 0 breaches and 1 does not', async () => {
    alarmIs({ ...GOOD_ALARM, ComparisonOperator: 'LessThanOrEqualToThreshold', Threshold: 0.5 });

    const [result] = await checkDnsControl(alarmPlan(), deps);

    expect(result?.status).toBe('PASS');
  });

  it('throws ThrottledError when DescribeAlarms stays throttled, for the workflow to retry', async () => {
    cloudwatch.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('slow down'), { name: 'Throttling' }));

    await expect(checkDnsControl(alarmPlan(), deps)).rejects.toThrow(ThrottledError);
  });

  it('warns that a health check not created by the stack is unverified', async () => {
    alarmIs(GOOD_ALARM);

    const results = await checkDnsControl(alarmPlan(false), deps);

    expect(results.map((r) => [r.target, r.status])).toEqual([
      ['edr-primary-region-active', 'PASS'],
      ['health check on edr-primary-region-active', 'WARN'],
    ]);
  });
});
