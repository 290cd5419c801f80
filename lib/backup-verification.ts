import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { WorkflowDescriptor } from '../functions/report/evidence';
import { BACKUP_CHECKS, verificationTargets } from '../functions/backup-verification/targets';
import { CHECK_METRICS, DIMENSIONS, METRICS_NAMESPACE } from '../functions/shared/metric-names';
import { backupVerificationDefinition } from '../statemachines/backup-verification';
import type { DrAlarmFactory } from './alarms';
import { rdsArn } from './arns';
import { DrFunction } from './dr-function';
import { DrWorkflow } from './dr-workflow';
import { acknowledgeWildcards } from './nag';
import type { DrPlan } from './plan';
import type { Reporting } from './reporting';

/** Every check the weekly verification runs: one alarm each. */
export { BACKUP_CHECKS };

/** The weekly verification as its report describes it: always reports; a FAIL takes the restore-from-backup priority. */
export const BACKUP_VERIFICATION_DESCRIPTOR: WorkflowDescriptor = {
  workflow: 'backup-verification',
  title: 'Weekly backup verification',
  scenario: 'restoreFromBackup',
  policy: 'always',
};

export interface BackupVerificationProps {
  readonly plan: DrPlan;
  readonly reporting: Reporting;
  /** The stack's alarm factory: the per-check alarms notify its topic and appear on its dashboard. */
  readonly alarms: DrAlarmFactory;
  /** When the verification runs.
   * @default - the plan's schedule (weekly) */
  readonly schedule?: string;
}

/**
 * The weekly backup verification: snapshot age and recovery point per database, age, count and size per
 * backups bucket, dump integrity by ranged reads — one workflow run, one report; an alarm per check on FAIL.
 * Read-only IAM scoped to the plan's instances, snapshots, buckets and keys.
 */
export class BackupVerification extends Construct {
  public readonly workflow: DrWorkflow;
  public readonly checkFunction: DrFunction;
  /** One alarm per check, firing when the check failed on any target. */
  public readonly alarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: BackupVerificationProps) {
    super(scope, id);
    const { plan } = props;
    const stack = Stack.of(this);
    this.checkFunction = new DrFunction(this, 'CheckTarget', {
      plan,
      entry: 'functions/backup-verification/handler.ts',
      description: 'Weekly backup verification: runs the checks of one database, backups bucket or dump',
      memorySize: 512,
    });

    const regions = [plan.regions.primary, plan.regions.recovery];
    const dbArns = regions.flatMap((r) => plan.databases.map((db) => rdsArn(this, 'db', db.id, r)));
    const snapshotArns = regions.map((r) => rdsArn(this, 'snapshot', '*', r));
    const backupArns = regions.map((r) => rdsArn(this, 'auto-backup', '*', r));
    this.checkFunction.allow({ actions: ['rds:DescribeDBSnapshots'], resources: [...dbArns, ...snapshotArns] });
    // The source's DbiResourceId, which finds its replicated automated backups in the recovery region.
    this.checkFunction.allow({
      actions: ['rds:DescribeDBInstances'],
      resources: plan.databases.map((db) => rdsArn(this, 'db', db.id, plan.regions.primary)),
    });
    this.checkFunction.allow({
      actions: ['rds:DescribeDBInstanceAutomatedBackups'],
      resources: [...dbArns, ...backupArns],
    });
    const buckets = plan.buckets.filter((b) => b.role === 'backups');
    if (buckets.length > 0) {
      this.checkFunction.allow({
        actions: ['s3:ListBucket'],
        resources: buckets.map((b) => `arn:${stack.partition}:s3:::${b.name}`),
      });
      this.checkFunction.allow({
        actions: ['s3:GetObject', 's3:GetObjectAttributes'],
        resources: buckets.map((b) => `arn:${stack.partition}:s3:::${b.name}/*`),
      });
    }
    const keys = [...new Set(buckets.map((b) => b.kmsKeyArn).filter((k): k is string => Boolean(k)))];
    if (keys.length > 0) this.checkFunction.allow({ actions: ['kms:Decrypt'], resources: keys });
    acknowledgeWildcards(
      this.checkFunction.role!,
      { resources: [...snapshotArns, ...backupArns, ...buckets.map((b) => `arn:${stack.partition}:s3:::${b.name}/*`)] },
      'Read-only: snapshot and automated-backup names are chosen by RDS (snapshot:*, auto-backup:*), backup object keys by the backup job (bucket/*); all limited to the plan’s buckets and this account.',
    );

    this.workflow = new DrWorkflow(this, 'Workflow', {
      plan,
      reporting: props.reporting,
      descriptor: BACKUP_VERIFICATION_DESCRIPTOR,
      timeout: Duration.minutes(plan.timeouts.workflowMinutes.backupVerification),
      body: (scope) =>
        backupVerificationDefinition(scope, plan, verificationTargets(plan), { runChecks: this.checkFunction }),
      schedule: props.schedule ?? plan.schedules.backupVerification,
    });
    // A target whose checks crash is counted as failed by the workflow itself (PutMetricData, which has no
    // resource-level permission): only into our namespace.
    this.workflow.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringNotEquals: { 'cloudwatch:namespace': METRICS_NAMESPACE } },
      }),
    );
    acknowledgeWildcards(
      this.workflow.stateMachine.role,
      { resources: [`${this.checkFunction.functionArn}:*`] },
      'CDK’s grant to invoke the check function’s versions.',
    );

    for (const check of BACKUP_CHECKS) {
      this.alarms[check] = props.alarms.alarm(this, `Alarm-${check}`, {
        capability: BACKUP_VERIFICATION_DESCRIPTOR.workflow,
        what: `${check}-failed`,
        description: `Backup check ${check} failed on at least one target: see the weekly verification report`,
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: CHECK_METRICS.failed,
          dimensionsMap: { [DIMENSIONS.check]: check },
          statistic: cloudwatch.Stats.MAXIMUM,
          period: Duration.days(1),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // A weekly check has no data between runs: keep the last verdict rather than flip to OK or ALARM.
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      });
    }
  }
}
