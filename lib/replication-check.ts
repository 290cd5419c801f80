import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { WorkflowDescriptor } from '../functions/report/evidence';
import { REPLICATION_CHECKS_BY_KIND, replicationTargets } from '../functions/replication-check/targets';
import { BATCHED_CHECKS } from '../functions/shared/batch-results';
import { CHECKS_RUN_METRIC, DIMENSIONS, METRICS_NAMESPACE } from '../functions/shared/metric-names';
import type { DrAlarmFactory } from './alarms';
import { rdsArn } from './arns';
import type { DrWorkflow } from './dr-workflow';
import { FleetCheck } from './fleet-check';
import { grantS3Read } from './s3-read';
import { acknowledgeWildcards } from './nag';
import type { DrPlan } from './plan';
import type { Reporting } from './reporting';

/** The hourly replication check as its report describes it: notifies on change; a FAIL takes the region-failure priority. */
export const REPLICATION_CHECK_DESCRIPTOR: WorkflowDescriptor = {
  workflow: BATCHED_CHECKS.replication,
  title: 'Replication check',
  scenario: 'regionFailure',
  policy: 'onChange',
};

/** Hours without a single result before the silence alarm notifies. */
export const SILENCE_HOURS = 2;

export interface ReplicationCheckProps {
  readonly plan: DrPlan;
  readonly reporting: Reporting;
  /** The stack's evidence bucket, where each batch's results are stored under the run's prefix. */
  readonly evidenceBucket: s3.IBucket;
  /** The stack's alarm factory. */
  readonly alarms: DrAlarmFactory;
}

/**
 * The hourly replication check (`edr-replication-check`): is the DR copy of each replicated bucket and database
 * really there — S3 rule, RTC metrics and sample keys; RDS replicas' state, source and lag. Read-only IAM; one
 * actionless alarm per check, and one notifying alarm when no batch published anything for two hours.
 */
export class ReplicationCheck extends Construct {
  public readonly workflow: DrWorkflow;
  public readonly checkBatchFunction: FleetCheck['checkBatchFunction'];
  /** One actionless alarm per check. */
  public readonly alarms: Record<string, cloudwatch.Alarm>;
  /** Notifies when the check published nothing for `SILENCE_HOURS` (absent when the plan replicates nothing). */
  public readonly silenceAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ReplicationCheckProps) {
    super(scope, id);
    const { plan } = props;
    const targets = replicationTargets(plan);
    const check = new FleetCheck(this, 'Fleet', {
      plan,
      reporting: props.reporting,
      evidenceBucket: props.evidenceBucket,
      alarms: props.alarms,
      descriptor: REPLICATION_CHECK_DESCRIPTOR,
      entry: 'functions/replication-check/handler.ts',
      description: 'Hourly replication check: S3 replication and RDS replicas of one batch of the plan’s targets',
      targets,
      checksByKind: REPLICATION_CHECKS_BY_KIND,
      kindTitles: { bucket: 'Bucket', database: 'Database' },
      timeoutMinutes: plan.timeouts.workflowMinutes.replicationCheck,
      schedule: plan.schedules.replicationCheck,
      alarmPeriod: Duration.hours(1),
    });
    this.workflow = check.workflow;
    this.checkBatchFunction = check.checkBatchFunction;
    this.alarms = check.alarms;
    this.grantRead(plan);

    if (targets.length > 0) {
      // The freshness monitor reads last success once a day: a check stopped at 10:00 would be seen up to 31 h
      // later. Every batch publishes ChecksRun; two silent hours notify.
      this.silenceAlarm = props.alarms.alarm(this, 'SilenceAlarm', {
        capability: REPLICATION_CHECK_DESCRIPTOR.workflow,
        what: 'silent',
        description: `The replication check published no result for ${SILENCE_HOURS} hours: see the state machine's executions (${plan.system.namePrefix}-${REPLICATION_CHECK_DESCRIPTOR.workflow}) and its schedule`,
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: CHECKS_RUN_METRIC,
          dimensionsMap: { [DIMENSIONS.workflow]: REPLICATION_CHECK_DESCRIPTOR.workflow },
          statistic: cloudwatch.Stats.SAMPLE_COUNT,
          period: Duration.hours(1),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: SILENCE_HOURS,
        // Silence is the very thing watched.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }
  }

  /**
   * What the checks read, read-only: replication configuration and versioning of the plan's replicated buckets and
   * their DR buckets, the sample keys (source by key, replica by version), the RTC and ReplicaLag metrics, and the
   * replicas. Lists are exact ARNs while they fit the policy budget, name patterns of the plan's own names beyond.
   */
  private grantRead(plan: DrPlan): void {
    const fn = this.checkBatchFunction;
    const replicated = plan.buckets.filter((b): b is typeof b & { drBucket: string } => Boolean(b.drBucket));
    const wildcards: string[] = [];
    if (replicated.length > 0) {
      wildcards.push(
        ...grantS3Read(
          fn,
          ['s3:GetReplicationConfiguration'],
          replicated.map((b) => b.name),
        ),
        ...grantS3Read(
          fn,
          ['s3:GetBucketVersioning'],
          [...replicated.map((b) => b.name), ...replicated.map((b) => b.drBucket)],
        ),
      );
      const sampled = replicated.filter((b) => b.sampleKeys.length > 0);
      if (sampled.length > 0) {
        // Without s3:ListBucket, S3 answers a missing key with 403: the check could not tell "not replicated" from
        // "denied".
        wildcards.push(
          ...grantS3Read(fn, ['s3:ListBucket'], [...sampled.map((b) => b.name), ...sampled.map((b) => b.drBucket)]),
          ...grantS3Read(
            fn,
            ['s3:GetObject'],
            sampled.flatMap((b) => b.sampleKeys.map((k) => `${b.name}/${k}`)),
          ),
          ...grantS3Read(
            fn,
            ['s3:GetObjectVersion'],
            sampled.flatMap((b) => b.sampleKeys.map((k) => `${b.drBucket}/${k}`)),
          ),
        );
      }
    }
    // GetMetricData has no resource-level permissions.
    fn.allow({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] });
    // DescribeDBInstances with a db-instance-id filter names no instance: IAM authorizes it against db:* of the
    // region. It only describes.
    const dbArns = [plan.regions.primary, plan.regions.recovery].map((r) => rdsArn(this, 'db', '*', r));
    fn.allow({ actions: ['rds:DescribeDBInstances'], resources: dbArns });
    wildcards.push('*', ...dbArns);
    acknowledgeWildcards(
      fn.role,
      { resources: [...new Set(wildcards)] },
      'Read-only: GetMetricData has no resource-level permissions; DescribeDBInstances with a filter is authorized against db:* (it describes, never changes); for a fleet, buckets and sample objects are name patterns of the plan’s own names held to this account (s3:ResourceAccount).',
    );
  }
}
