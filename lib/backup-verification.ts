import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { WorkflowDescriptor } from '../functions/report/evidence';
import { BACKUP_CHECKS, RESULTS_ROOT, verificationTargets } from '../functions/backup-verification/targets';
import { backupVerificationDefinition } from '../statemachines/backup-verification';
import { checkFailedMetric, type DrAlarmFactory, metricsOnlyInOurNamespace } from './alarms';
import { rdsArn } from './arns';
import { DrFunction } from './dr-function';
import { DrWorkflow } from './dr-workflow';
import { listChars, namesOrPatterns, RESOURCE_LIST_BUDGET } from './iam-scope';
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
  /** The stack's evidence bucket, where each target's results are stored under the run's prefix. */
  readonly evidenceBucket: s3.IBucket;
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
  public readonly checkTargetFunction: DrFunction;
  /** One alarm per check, firing when the check failed on any target. */
  public readonly alarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: BackupVerificationProps) {
    super(scope, id);
    const { plan } = props;
    this.checkTargetFunction = new DrFunction(this, 'CheckTarget', {
      plan,
      entry: 'functions/backup-verification/handler.ts',
      description: 'Weekly backup verification: runs the checks of one database, backups bucket or dump',
      memorySize: 512,
      environment: { EVIDENCE_BUCKET: props.evidenceBucket.bucketName },
    });
    const resultObjects = props.evidenceBucket.arnForObjects(`${RESULTS_ROOT}*`);
    this.checkTargetFunction.allow({ actions: ['s3:PutObject'], resources: [resultObjects] });
    acknowledgeWildcards(
      this.checkTargetFunction.role,
      { resources: [resultObjects] },
      'Writes only under the weekly verification’s results prefix of this stack’s evidence bucket; object names are per run.',
    );

    this.grantReadBackups(plan);

    this.workflow = new DrWorkflow(this, 'Workflow', {
      plan,
      reporting: props.reporting,
      descriptor: BACKUP_VERIFICATION_DESCRIPTOR,
      timeout: Duration.minutes(plan.timeouts.workflowMinutes.backupVerification),
      body: (scope) =>
        backupVerificationDefinition(
          scope,
          verificationTargets(plan),
          { checkTarget: this.checkTargetFunction },
          plan.fleet.maxConcurrency,
        ),
      schedule: props.schedule ?? plan.schedules.backupVerification,
    });
    // A target whose checks crash is counted as failed by the workflow itself (PutMetricData, which has no
    // resource-level permission): only into our namespace.
    this.workflow.stateMachine.addToRolePolicy(metricsOnlyInOurNamespace());
    acknowledgeWildcards(
      this.workflow.stateMachine.role,
      { resources: [`${this.checkTargetFunction.functionArn}:*`] },
      'CDK’s grant to invoke the check function’s versions.',
    );

    for (const check of BACKUP_CHECKS) {
      this.alarms[check] = props.alarms.alarm(this, `Alarm-${check}`, {
        capability: BACKUP_VERIFICATION_DESCRIPTOR.workflow,
        what: `${check}-failed`,
        description: `Backup check ${check} failed on at least one target: see the weekly verification report`,
        metric: checkFailedMetric(check, Duration.days(1)),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // A weekly check has no data between runs: keep the last verdict rather than flip to OK or ALARM.
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      });
    }
  }

  /**
   * Read-only access to what the checks read: the plan's instances' snapshots and automated backups in both
   * regions, its backups buckets, and the keys of SSE-KMS backups. Each list is exact while it fits
   * `RESOURCE_LIST_BUDGET`; for a fleet it becomes a few name patterns (lib/iam-scope.ts), so the role stays
   * within IAM's limits at any fleet size. Why each pattern is still least privilege is said where it is used.
   */
  private grantReadBackups(plan: DrPlan): void {
    const stack = Stack.of(this);
    const fn = this.checkTargetFunction;
    const regions = [plan.regions.primary, plan.regions.recovery];
    const wildcards: string[] = [];

    // Instances: patterns of the plan's own instance ids. Both actions only describe (never change) backups,
    // in this account and the plan's two regions; the function also refuses, in code, any id not in the plan.
    const rdsArnLength = (id: string) => `arn:aws:rds:${plan.regions.recovery}:${plan.account}:db:${id}`.length * 2;
    const instances = namesOrPatterns(
      plan.databases.map((db) => db.id),
      rdsArnLength,
    );
    const dbArns = regions.flatMap((r) => instances.names.map((id) => rdsArn(this, 'db', id, r)));
    const snapshotArns = regions.map((r) => rdsArn(this, 'snapshot', '*', r));
    const backupArns = regions.map((r) => rdsArn(this, 'auto-backup', '*', r));
    fn.allow({ actions: ['rds:DescribeDBSnapshots'], resources: [...dbArns, ...snapshotArns] });
    fn.allow({ actions: ['rds:DescribeDBInstanceAutomatedBackups'], resources: [...dbArns, ...backupArns] });
    // The source's DbiResourceId, which finds its replicated automated backups in the recovery region.
    fn.allow({
      actions: ['rds:DescribeDBInstances'],
      resources: instances.names.map((id) => rdsArn(this, 'db', id, plan.regions.primary)),
    });
    wildcards.push(...snapshotArns, ...backupArns, ...(instances.patterned ? dbArns : []));

    const buckets = plan.buckets.filter((b) => b.role === 'backups');
    if (buckets.length > 0) {
      // Buckets: S3 bucket ARNs carry no account, so a pattern is held to this account by s3:ResourceAccount;
      // within it, only buckets sharing a prefix with the plan's backups buckets, and only read actions.
      const scoped = namesOrPatterns(
        buckets.map((b) => b.name),
        (name) => `arn:aws:s3:::${name}/*`.length * 2,
      );
      const conditions = scoped.patterned ? { StringEquals: { 's3:ResourceAccount': stack.account } } : undefined;
      const bucketArns = scoped.names.map((name) => `arn:${stack.partition}:s3:::${name}`);
      const objectArns = bucketArns.map((arn) => `${arn}/*`);
      fn.allow({ actions: ['s3:ListBucket'], resources: bucketArns, conditions });
      fn.allow({ actions: ['s3:GetObject', 's3:GetObjectAttributes'], resources: objectArns, conditions });
      wildcards.push(...objectArns, ...(scoped.patterned ? bucketArns : []));
    }

    const keys = [...new Set(buckets.map((b) => b.kmsKeyArn).filter((k): k is string => Boolean(k)))];
    if (keys.length > 0 && listChars(keys) <= RESOURCE_LIST_BUDGET) {
      fn.allow({ actions: ['kms:Decrypt'], resources: keys });
    } else if (keys.length > 0) {
      // Keys: any key of this account in the keys' regions, but only for requests S3 makes on this role's
      // behalf (kms:ViaService) — and S3 serves this role only the backups buckets above, read-only.
      const keyRegions = [...new Set(keys.map((k) => k.split(':')[3] ?? ''))].sort();
      const keyArns = keyRegions.map((r) => `arn:${stack.partition}:kms:${r}:${stack.account}:key/*`);
      fn.allow({
        actions: ['kms:Decrypt'],
        resources: keyArns,
        conditions: { StringEquals: { 'kms:ViaService': keyRegions.map((r) => `s3.${r}.amazonaws.com`) } },
      });
      wildcards.push(...keyArns);
    }
    acknowledgeWildcards(
      fn.role,
      { resources: wildcards },
      'Read-only: snapshot and automated-backup names are chosen by RDS (snapshot:*, auto-backup:*), backup object keys by the backup job (bucket/*); for a fleet, instances, buckets and keys are name patterns of the plan’s own names (lib/iam-scope.ts) held to this account (s3:ResourceAccount, kms:ViaService).',
    );
  }
}
