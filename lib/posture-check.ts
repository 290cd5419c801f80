import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { POSTURE_CHECKS_BY_KIND, postureTargets } from '../functions/posture-check/targets';
import type { WorkflowDescriptor } from '../functions/report/evidence';
import { BATCHED_CHECKS } from '../functions/shared/batch-results';
import type { DrAlarmFactory } from './alarms';
import { rdsArn } from './arns';
import type { DrWorkflow } from './dr-workflow';
import { FleetCheck } from './fleet-check';
import { acknowledgeWildcards } from './nag';
import type { DrPlan } from './plan';
import type { Reporting } from './reporting';
import { grantS3Read } from './s3-read';

/** The daily posture check as its report describes it: notifies on change; a FAIL is High. */
export const POSTURE_CHECK_DESCRIPTOR: WorkflowDescriptor = {
  workflow: BATCHED_CHECKS.posture,
  title: 'Posture check',
  priority: 'High',
  policy: 'onChange',
};

export interface PostureCheckProps {
  readonly plan: DrPlan;
  readonly reporting: Reporting;
  /** The stack's evidence bucket, where each batch's results are stored under the run's prefix. */
  readonly evidenceBucket: s3.IBucket;
  /** The stack's alarm factory. */
  readonly alarms: DrAlarmFactory;
}

/**
 * The daily posture check (`edr-posture-check`): does the live setup match the plan — databases' backups,
 * Multi-AZ, protection, encryption and IAM authentication; buckets' versioning, lifecycle, encryption and public
 * access; the application's capacity and cache failover. Read-only IAM; one actionless alarm per check.
 */
export class PostureCheck extends Construct {
  public readonly workflow: DrWorkflow;
  public readonly checkBatchFunction: FleetCheck['checkBatchFunction'];
  /** One actionless alarm per check. */
  public readonly alarms: Record<string, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: PostureCheckProps) {
    super(scope, id);
    const { plan } = props;
    const check = new FleetCheck(this, 'Fleet', {
      plan,
      reporting: props.reporting,
      evidenceBucket: props.evidenceBucket,
      alarms: props.alarms,
      descriptor: POSTURE_CHECK_DESCRIPTOR,
      entry: 'functions/posture-check/handler.ts',
      description: 'Daily posture check: databases, buckets or the application of one batch of the plan’s targets',
      targets: postureTargets(plan),
      checksByKind: POSTURE_CHECKS_BY_KIND,
      kindTitles: { database: 'Database', bucket: 'Bucket', application: 'Application' },
      timeoutMinutes: plan.timeouts.workflowMinutes.postureCheck,
      schedule: plan.schedules.posture,
      alarmPeriod: Duration.days(1),
    });
    this.workflow = check.workflow;
    this.checkBatchFunction = check.checkBatchFunction;
    this.alarms = check.alarms;
    this.grantRead(plan);
  }

  /** What the checks read, read-only, in the primary region; exact ARNs where the APIs and policy budget allow. */
  private grantRead(plan: DrPlan): void {
    const fn = this.checkBatchFunction;
    const stack = Stack.of(this);
    const region = plan.regions.primary;
    const wildcards: string[] = [];
    // DescribeDBInstances with a db-instance-id filter names no instance: IAM authorizes it against db:*.
    const dbArn = rdsArn(this, 'db', '*', region);
    fn.allow({ actions: ['rds:DescribeDBInstances'], resources: [dbArn] });
    wildcards.push(dbArn);
    wildcards.push(
      ...grantS3Read(
        fn,
        [
          's3:GetBucketVersioning',
          's3:GetLifecycleConfiguration',
          's3:GetEncryptionConfiguration',
          's3:GetBucketPublicAccessBlock',
        ],
        plan.buckets.map((b) => b.name),
      ),
    );
    // The account-level block and Auto Scaling's describe support no resource-level permissions.
    const unscoped = ['s3:GetAccountPublicAccessBlock'];
    const app = plan.application;
    if (app.autoScalingGroupName) unscoped.push('autoscaling:DescribeAutoScalingGroups');
    fn.allow({ actions: unscoped, resources: ['*'] });
    wildcards.push('*');
    if (app.ecsService) {
      const { cluster } = app.ecsService;
      const arn = (type: string) => `arn:${stack.partition}:ecs:${region}:${stack.account}:${type}/${cluster}/*`;
      fn.allow({ actions: ['ecs:ListTasks'], resources: [arn('container-instance')] });
      fn.allow({ actions: ['ecs:DescribeTasks'], resources: [arn('task')] });
      wildcards.push(arn('container-instance'), arn('task'));
    }
    if (app.cacheReplicationGroupIds.length > 0) {
      fn.allow({
        actions: ['elasticache:DescribeReplicationGroups'],
        resources: app.cacheReplicationGroupIds.map(
          (g) => `arn:${stack.partition}:elasticache:${region}:${stack.account}:replicationgroup:${g}`,
        ),
      });
    }
    acknowledgeWildcards(
      fn.role,
      { resources: [...new Set(wildcards)] },
      'Read-only: DescribeDBInstances with a filter is authorized against db:*; GetAccountPublicAccessBlock and DescribeAutoScalingGroups support no resource-level permissions; ECS tasks are named by ECS within the plan’s cluster; for a fleet, buckets are name patterns of the plan’s own names held to this account (s3:ResourceAccount).',
    );
  }
}
