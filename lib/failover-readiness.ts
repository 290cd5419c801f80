import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { READINESS_CHECKS_BY_KIND, readinessTargets } from '../functions/failover-readiness/targets';
import type { WorkflowDescriptor } from '../functions/report/evidence';
import { BATCHED_CHECKS } from '../functions/shared/batch-results';
import type { DrAlarmFactory } from './alarms';
import { rdsArn } from './arns';
import type { DrWorkflow } from './dr-workflow';
import { FleetCheck } from './fleet-check';
import { namesOrPatterns } from './iam-scope';
import { acknowledgeWildcards } from './nag';
import type { DrPlan } from './plan';
import type { Reporting } from './reporting';

/**
 * Failover readiness as its report describes it: notifies on change; a FAIL takes the region-failure priority and
 * leads the subject (`NOT READY to fail over: <first failing check>`).
 */
export const FAILOVER_READINESS_DESCRIPTOR: WorkflowDescriptor = {
  workflow: BATCHED_CHECKS.readiness,
  title: 'Failover readiness',
  scenario: 'regionFailure',
  policy: 'onChange',
  failHeadline: 'NOT READY to fail over',
};

export interface FailoverReadinessProps {
  readonly plan: DrPlan;
  readonly reporting: Reporting;
  /** The recovery stack's evidence bucket, where each batch's results are stored under the run's prefix. */
  readonly evidenceBucket: s3.IBucket;
  /** The recovery stack's alarm factory. */
  readonly alarms: DrAlarmFactory;
}

/**
 * The daily failover readiness check (`edr-failover-readiness`), in the recovery stack: could we fail over to the
 * recovery region right now, without the primary region? DR replicas promotable (in batches), the DNS control and
 * answers, the health token's secret, the approvers, and (informational) the primary targets. Its IAM reaches only
 * recovery-region resources and the ARC routing controls: no `iam:` and no `route53:` action, nothing homed in the
 * primary region (DESIGN §8). One actionless alarm per check; the report notifies on change.
 */
export class FailoverReadiness extends Construct {
  public readonly workflow: DrWorkflow;
  public readonly checkBatchFunction: FleetCheck['checkBatchFunction'];
  /** One actionless alarm per check. */
  public readonly alarms: Record<string, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: FailoverReadinessProps) {
    super(scope, id);
    const { plan } = props;
    const check = new FleetCheck(this, 'Fleet', {
      plan,
      reporting: props.reporting,
      evidenceBucket: props.evidenceBucket,
      alarms: props.alarms,
      descriptor: FAILOVER_READINESS_DESCRIPTOR,
      entry: 'functions/failover-readiness/handler.ts',
      description:
        'Daily failover readiness: DR replicas of one batch, or the DNS control, DNS answers, token secret and approvers',
      targets: readinessTargets(plan),
      checksByKind: READINESS_CHECKS_BY_KIND,
      kindTitles: { drReplica: 'DR Replica', failoverPath: 'Failover Path' },
      timeoutMinutes: plan.timeouts.workflowMinutes.failoverReadiness,
      schedule: plan.schedules.readiness,
      alarmPeriod: Duration.days(1),
    });
    this.workflow = check.workflow;
    this.checkBatchFunction = check.checkBatchFunction;
    this.alarms = check.alarms;
    this.grantRead(plan);
  }

  /** Read-only, recovery region only (and the ARC routing controls, which are global). */
  private grantRead(plan: DrPlan): void {
    const fn = this.checkBatchFunction;
    const stack = Stack.of(this);
    const region = plan.regions.recovery;
    const wildcards: string[] = [];
    const replicas = plan.databases.flatMap((db) => (db.drReplica ? [db.drReplica] : []));
    if (replicas.length > 0) {
      // Described one by one (DBInstanceIdentifier), so IAM authorizes each call against that replica's ARN: the
      // replicas themselves while they fit the policy budget, name patterns of them beyond.
      const arnOf = (name: string) => rdsArn(this, 'db', name, region);
      const scoped = namesOrPatterns(replicas, (name) => `arn:aws:rds:${region}:123456789012:db:${name}`.length);
      const arns = scoped.names.map(arnOf);
      fn.allow({ actions: ['rds:DescribeDBInstances'], resources: arns });
      if (scoped.patterned) wildcards.push(...arns);
      // GetMetricData has no resource-level permissions.
      fn.allow({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] });
      wildcards.push('*');
    }
    const control = plan.dns.control;
    if (control.kind === 'arc') {
      fn.allow({
        actions: ['route53-recovery-cluster:GetRoutingControlState'],
        resources: [control.primaryRoutingControlArn, control.recoveryRoutingControlArn],
      });
    } else {
      // Metric alarms only (AlarmTypes MetricAlarm): a narrower scope than * is allowed for them.
      fn.allow({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: [
          stack.formatArn({
            service: 'cloudwatch',
            region,
            resource: 'alarm',
            resourceName: control.alarmName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      });
    }
    // A secret's ARN ends in six random characters; only this name's secret matches.
    const secretArn = stack.formatArn({
      service: 'secretsmanager',
      region,
      resource: 'secret',
      resourceName: `${plan.health.tokenSecretName}-??????`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    fn.allow({ actions: ['secretsmanager:DescribeSecret'], resources: [secretArn] });
    wildcards.push(secretArn);
    acknowledgeWildcards(
      fn.role,
      { resources: [...new Set(wildcards)] },
      'Read-only, recovery region: GetMetricData has no resource-level permissions; a secret ARN ends in six random characters (only the plan’s secret name matches); for a fleet, DR replicas are name patterns of the plan’s own names.',
    );
  }
}
