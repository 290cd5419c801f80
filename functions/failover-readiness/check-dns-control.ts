/**
 * Readiness check 2, the DNS control a regional failover flips: is it there, readable from the recovery region,
 * and still sending traffic to the primary region? Two kinds (`plan.dns.control.kind`):
 * - `arc`: both routing controls read at the cluster's endpoints in turn (functions/shared/arc-routing-control.ts).
 *   Ready: primary `On`, recovery `Off`.
 * - `healthCheckAlarm`: the alarm the Route 53 health check watches, read with `DescribeAlarms` in the recovery
 *   region (functions/shared/failover-alarm.ts). The health check itself is readable only through Route 53's API,
 *   homed in us-east-1: with `createdByStack: false` its settings are unverified (a WARN).
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DrPlan } from '../../lib/plan';
import {
  type ArcClientFactory,
  describeEndpoints,
  getRoutingControlState,
  type RoutingControlReading,
  startingAt,
} from '../shared/arc-routing-control';
import type { CheckResult } from '../shared/check-result';
import { isAccessDenied, translateAwsError } from '../shared/errors';
import { judgeFailoverAlarm, readFailoverAlarm } from '../shared/failover-alarm';

/** What the check needs: ARC clients per endpoint, and CloudWatch in the recovery region. */
export interface DnsControlDeps {
  readonly arcClient: ArcClientFactory;
  /** CloudWatch client in `plan.regions.recovery`. */
  readonly recoveryCloudWatch: Pick<CloudWatchClient, 'send'>;
}

const CHECK = 'dns-control';

type ArcControl = Extract<DrPlan['dns']['control'], { kind: 'arc' }>;
type AlarmControl = Extract<DrPlan['dns']['control'], { kind: 'healthCheckAlarm' }>;

/** Checks the plan's DNS control; one result, plus a WARN when a health check's settings cannot be verified. */
export async function checkDnsControl(plan: DrPlan, deps: DnsControlDeps): Promise<CheckResult[]> {
  const control = plan.dns.control;
  return control.kind === 'arc' ? [await checkArc(control, deps)] : checkAlarm(control, plan, deps);
}

function unreadable(reading: Exclude<RoutingControlReading, { ok: true }>, which: string, arn: string): string {
  if (reading.reason === 'refused' && reading.refusal) {
    const { endpoint, error, accessDenied } = reading.refusal;
    const fix = accessDenied
      ? `the function's role needs route53-recovery-cluster:GetRoutingControlState on ${arn}`
      : `check dns.control.${which}RoutingControlArn`;
    return `the ${which} routing control ${arn} could not be read: ${endpoint.region} (${endpoint.url}) answered ${error}; ${fix}`;
  }
  return `no cluster endpoint answered for the ${which} routing control ${arn} (${describeEndpoints(reading.unanswered)}): a failover could not flip it now`;
}

async function checkArc(control: ArcControl, deps: DnsControlDeps): Promise<CheckResult> {
  const base = { check: CHECK, target: control.primaryRoutingControlArn, threshold: 'primary On, recovery Off' };
  const primary = await getRoutingControlState(
    control.primaryRoutingControlArn,
    control.clusterEndpoints,
    deps.arcClient,
  );
  if (!primary.ok) {
    return {
      ...base,
      status: 'FAIL',
      observed: null,
      detail: unreadable(primary, 'primary', control.primaryRoutingControlArn),
    };
  }
  // The endpoint that just answered goes first: those before it were down a moment ago.
  const recovery = await getRoutingControlState(
    control.recoveryRoutingControlArn,
    startingAt(control.clusterEndpoints, primary.answeredBy),
    deps.arcClient,
  );
  if (!recovery.ok) {
    return {
      ...base,
      status: 'FAIL',
      observed: `primary ${primary.value}`,
      detail: unreadable(recovery, 'recovery', control.recoveryRoutingControlArn),
    };
  }
  const observed = `primary ${primary.value}, recovery ${recovery.value}`;
  const failed = [...primary.unanswered, ...recovery.unanswered];
  const answered = [...new Set([primary.answeredBy, recovery.answeredBy].map((e) => `${e.region} (${e.url})`))];
  const where = `answered by ${answered.join(' and ')}${failed.length ? `; not answering: ${describeEndpoints(failed)}` : ''}`;
  if (recovery.value === 'On') {
    return {
      ...base,
      status: 'FAIL',
      observed,
      detail: `traffic already goes to the recovery region: the recovery routing control is On (${observed}; ${where})`,
    };
  }
  if (primary.value === 'Off') {
    return {
      ...base,
      status: 'FAIL',
      observed,
      detail: `both routing controls are Off: no region receives traffic through DNS; set the primary On (${where})`,
    };
  }
  return { ...base, status: 'PASS', observed, detail: `the primary region receives traffic (${where})` };
}

async function checkAlarm(control: AlarmControl, plan: DrPlan, deps: DnsControlDeps): Promise<CheckResult[]> {
  const base = { check: CHECK, target: control.alarmName, threshold: 'not in ALARM' };
  const region = plan.regions.recovery;
  let alarm: Awaited<ReturnType<typeof readFailoverAlarm>>;
  try {
    alarm = await readFailoverAlarm(deps.recoveryCloudWatch, control.alarmName);
  } catch (error) {
    if (!isAccessDenied(error))
      translateAwsError(error, 'cloudwatch:DescribeAlarms', `${control.alarmName} in ${region}`);
    return [
      {
        ...base,
        status: 'FAIL',
        observed: null,
        detail: `cannot read alarm ${control.alarmName} in ${region}: the function's role needs cloudwatch:DescribeAlarms`,
      },
    ];
  }
  const judged = judgeFailoverAlarm(alarm, control);
  const results: CheckResult[] = [];
  if (judged.failedOver) {
    results.push({
      ...base,
      status: 'FAIL',
      observed: judged.state,
      detail: `alarm ${control.alarmName} is in ALARM: the health check is unhealthy, so traffic already goes to the recovery region`,
    });
  } else if (judged.problems.length > 0) {
    results.push({
      ...base,
      status: 'FAIL',
      observed: judged.state,
      detail: `alarm ${control.alarmName} in ${region} cannot serve as the failover switch: ${judged.problems.join('; ')}`,
    });
  } else {
    results.push({
      ...base,
      status: 'PASS',
      observed: judged.state,
      detail: `alarm ${control.alarmName} in ${region} is ${judged.state}, on ${control.metricNamespace}/${control.metricName}, as Route 53 can watch it`,
    });
  }
  if (!control.createdByStack && alarm) {
    results.push({
      check: CHECK,
      target: `health check on ${control.alarmName}`,
      status: 'WARN',
      observed: null,
      threshold: 'InsufficientDataHealthStatus LastKnownStatus',
      detail:
        "the Route 53 health check on the alarm is not this stack's: its settings are readable only through Route 53's API in us-east-1, so they are unverified; make sure it watches this alarm in the recovery region with InsufficientDataHealthStatus LastKnownStatus",
    });
  }
  return results;
}
