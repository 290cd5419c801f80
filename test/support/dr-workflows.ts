/**
 * Runs this project's synthesized workflows against the account model: seeds the model with the stack's
 * evidence bucket and topic under their fake names, and answers each Lambda task with the function's real
 * pure logic, its AWS calls going through real SDK clients routed to the model.
 */
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { verifyAndStore, type StoredCheckEvent } from '../../functions/backup-verification/stored-results';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { findLeftovers } from '../../functions/janitor/find-leftovers';
import { restoreTestAction, type RestoreTestEvent } from '../../functions/snapshot-restore-test/actions';
import { readRestoreReport, type ReadReportEvent } from '../../functions/dump-restore-test/read-report';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { isObjectMissing } from '../../functions/shared/s3-errors';
import { decideCleanup, summarizeRecovery, type SummarizeEvent } from '../../functions/pitr/finish-recovery';
import { planRecovery, type RecoveryEvent, type RecoveryPlan, restoreCopy } from '../../functions/pitr/plan-recovery';
import { checkReadinessBatch, type ReadinessDeps } from '../../functions/failover-readiness/check-readiness';
import type { TcpProbe } from '../../functions/failover-readiness/check-primary-reachability';
import type { ReadinessTarget } from '../../functions/failover-readiness/targets';
import { arcClient } from '../../functions/shared/arc-routing-control';
import type { AuthoritativeDnsDeps } from '../../functions/shared/authoritative-dns';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { checkPostureBatch } from '../../functions/posture-check/check-posture';
import type { PostureTarget } from '../../functions/posture-check/targets';
import { checkReplicationBatch } from '../../functions/replication-check/check-replication';
import type { ReplicationTarget } from '../../functions/replication-check/targets';
import { BATCHED_CHECKS, type BatchCheckEvent, checkAndStoreBatch } from '../../functions/shared/batch-results';
import { reportDeps } from '../../functions/report/aws-deps';
import { reportRun, type ReportEvent } from '../../functions/report/report-run';
import type { DrPlan } from '../../lib/plan';
import { AccountModel } from './account/model';
import {
  fakeResourceNames,
  stateMachineDefinition,
  stateMachineDefinitions,
  type ResolvedStateMachine,
} from './workflow/template';
import type { ChildMachine, LambdaHandler } from './workflow/run';

/** A stack's workflows, ready to run against fresh models. */
export interface StackWorkflows {
  readonly region: string;
  readonly plan: DrPlan;
  readonly evidenceBucket: string;
  readonly topicArn: string;
  /** A state machine of the stack by logical-id prefix, e.g. `JanitorWorkflowStateMachine`. */
  machine(prefix: string): ResolvedStateMachine;
  /** Every state machine of the stack, as children a `.sync:2` Task may start. */
  childMachines(): ChildMachine[];
  /** A fresh model holding the stack's evidence bucket and topic, starting at `now`. */
  newModel(now?: Date): AccountModel;
  /** Lambda handlers of the stack's functions, backed by `model`. */
  lambdas(
    model: AccountModel,
    options?: { runningExecutions?: Set<string>; validator?: LambdaHandler },
  ): Record<string, LambdaHandler>;
}

function named(
  names: ReturnType<typeof fakeResourceNames>,
  type: string,
  prefix: string,
): { name: string; arn: string; ref: string } {
  const hits = Object.entries(names).filter(([id, r]) => r.type === type && id.startsWith(prefix));
  if (hits.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${hits.length}`);
  return hits[0]![1];
}

/** What stands in for the network paths that are not AWS APIs (failover readiness's DNS and TCP). */
export interface NetworkStandIns {
  /** The zone's name servers: a local DNS server (test/support/dns-server.ts) and a resolver pointed at it. */
  readonly dns: AuthoritativeDnsDeps;
}

/**
 * The workflows of a synthesized stack (template JSON) deployed to `region`. The readiness check's primary targets
 * answer TCP while the model's primary region is reachable (`setRegionReachable`).
 */
export function stackWorkflows(
  template: Record<string, any>,
  region: string,
  plan: DrPlan,
  network?: NetworkStandIns,
): StackWorkflows {
  const names = fakeResourceNames(template, { region });
  const evidenceBucket = named(names, 'AWS::S3::Bucket', 'EvidenceBucket').name;
  const topicArn = named(names, 'AWS::SNS::Topic', 'NotificationsTopic').ref;
  return {
    region,
    plan,
    evidenceBucket,
    topicArn,
    machine: (prefix) => stateMachineDefinition(template, prefix, { region }),
    childMachines: () =>
      Object.values(stateMachineDefinitions(template, { region })).map((m) => ({
        stateMachineArn: m.arn,
        definition: m.definition,
      })),
    newModel: (now = new Date('2025-11-10T04:00:00Z')) => {
      const model = new AccountModel({ now, regions: [plan.regions.primary, plan.regions.recovery] });
      model.addBucket(evidenceBucket, region, { versioned: true });
      model.addTopic(topicArn);
      return model;
    },
    lambdas: (model, options = {}) => {
      const rds = (r = region) => new RDSClient({ region: r, maxAttempts: 1 });
      const s3 = new S3Client({ region, maxAttempts: 1 });
      const report = {
        ...reportDeps(
          { s3, sns: new SNSClient({ region, maxAttempts: 1 }), sfn: new SFNClient({ region, maxAttempts: 1 }) },
          evidenceBucket,
          topicArn,
        ),
        // The execution history is the harness's, not the model's: steps are covered by the report's unit tests.
        history: async () => [],
        now: () => model.now(),
      };
      // The validator's SQL runs against real PostgreSQL in its own tests; here it stands in, passing by default.
      const validator: LambdaHandler =
        options.validator ??
        ((payload) => ({
          results: [
            {
              check: 'required-tables',
              target: (payload as { target: string }).target,
              status: 'PASS',
              observed: 3,
              threshold: 3,
              detail: 'all required tables present',
            },
          ],
        }));
      const recoveryDeps = { rds: rds(), region };
      const putEvidence = async (key: string, body: string) => {
        await s3.send(new PutObjectCommand({ Bucket: evidenceBucket, Key: key, Body: body }));
      };
      return {
        PointInTimeRecoveryRecoveryFunction: (payload) => {
          const event = payload as RecoveryEvent & { action: string };
          if (event.action === 'plan') return planRecovery(event, plan, recoveryDeps);
          if (event.action === 'restore')
            return restoreCopy(payload as RecoveryEvent & { plan: RecoveryPlan }, plan, recoveryDeps);
          if (event.action === 'summarize') return summarizeRecovery(payload as SummarizeEvent);
          return decideCleanup(event, plan, recoveryDeps);
        },
        PointInTimeRecoveryValidator: validator,
        ReportingReportFunction: (payload) => reportRun(payload as ReportEvent, plan, report),
        JanitorFindLeftovers: (payload) =>
          findLeftovers(payload as { ownerStack: string }, plan, {
            rds: rds(),
            runningExecutions: async () => options.runningExecutions ?? new Set(),
            now: () => model.now(),
          }),
        SnapshotRestoreTestPlanRestore: (payload) =>
          restoreTestAction(payload as RestoreTestEvent, plan, { rds: rds() }),
        SnapshotRestoreTestValidatorFunction: validator,
        DumpRestoreTestReadReport: (payload) =>
          readRestoreReport(payload as ReadReportEvent, plan.recoveryTargets.restoreFromBackup.rtoMinutes * 60, {
            getReport: async (key) => {
              try {
                const object = await s3.send(new GetObjectCommand({ Bucket: evidenceBucket, Key: key }));
                return await object.Body?.transformToString('utf8');
              } catch (error) {
                if (isObjectMissing(error)) return undefined;
                throw error;
              }
            },
            putResults: async (key, body) => {
              await s3.send(new PutObjectCommand({ Bucket: evidenceBucket, Key: key, Body: body }));
            },
          }),
        FailoverReadinessFleetCheckBatch: (payload) => {
          if (!network)
            throw new Error('stackWorkflows: failover readiness needs the network stand-ins (a DNS server)');
          const r = plan.regions.recovery;
          const probe: TcpProbe = async (host) => {
            if (!model.isRegionReachable(plan.regions.primary)) throw new Error(`connect ETIMEDOUT ${host}:443`);
          };
          const deps: ReadinessDeps = {
            recoveryRds: rds(r),
            recoveryCloudWatch: new CloudWatchClient({ region: r, maxAttempts: 1 }),
            recoverySecrets: new SecretsManagerClient({ region: r, maxAttempts: 1 }),
            arcClient,
            dns: network.dns,
            reachability: { probe, port: 443 },
            now: () => model.now(),
          };
          return checkAndStoreBatch(payload as BatchCheckEvent<ReadinessTarget>, {
            workflow: BATCHED_CHECKS.readiness,
            check: (targets) => checkReadinessBatch(targets, plan, deps),
            putResults: putEvidence,
          });
        },
        ReplicationCheckFleetCheckBatch: (payload) => {
          const inRegion = (r: string) => ({
            s3: new S3Client({ region: r, maxAttempts: 1 }),
            cloudWatch: new CloudWatchClient({ region: r, maxAttempts: 1 }),
            rds: rds(r),
          });
          const deps = {
            primary: inRegion(plan.regions.primary),
            recovery: inRegion(plan.regions.recovery),
            now: () => model.now(),
          };
          return checkAndStoreBatch(payload as BatchCheckEvent<ReplicationTarget>, {
            workflow: BATCHED_CHECKS.replication,
            check: (targets) => checkReplicationBatch(targets, plan, deps),
            putResults: putEvidence,
          });
        },
        PostureCheckFleetCheckBatch: (payload) => {
          const r = plan.regions.primary;
          const deps = {
            rds: rds(r),
            s3: new S3Client({ region: r, maxAttempts: 1 }),
            s3Control: new S3ControlClient({ region: r, maxAttempts: 1 }),
            autoScaling: new AutoScalingClient({ region: r, maxAttempts: 1 }),
            ecs: new ECSClient({ region: r, maxAttempts: 1 }),
            elastiCache: new ElastiCacheClient({ region: r, maxAttempts: 1 }),
            now: () => model.now(),
          };
          return checkAndStoreBatch(payload as BatchCheckEvent<PostureTarget>, {
            workflow: BATCHED_CHECKS.posture,
            check: (targets) => checkPostureBatch(targets, plan, deps),
            putResults: putEvidence,
          });
        },
        BackupVerificationCheckTarget: (payload) =>
          verifyAndStore(payload as StoredCheckEvent, plan, {
            primaryRds: rds(plan.regions.primary),
            recoveryRds: rds(plan.regions.recovery),
            s3,
            now: () => model.now(),
            putResults: async (key, body) => {
              await s3.send(new PutObjectCommand({ Bucket: evidenceBucket, Key: key, Body: body }));
            },
          }),
      };
    },
  };
}

/** Evidence records the model's bucket holds (one per run, not the per-target results beside them), parsed. */
export function evidenceRecords(model: AccountModel, bucket: string): Record<string, any>[] {
  return model
    .objects(bucket)
    .filter((o) => o.Key.startsWith('runs/') && o.Key.endsWith('.json') && !o.Key.includes('/results/'))
    .map((o) => JSON.parse(o.Body.toString('utf8')) as Record<string, any>);
}
