import type { Construct } from 'constructs';
import { BackupVerification } from './backup-verification';
import { DrStack, type DrStackProps } from './dr-stack';
import { dumpRestoreItems } from '../statemachines/dump-restore-test';
import { DumpRestoreTest } from './dump-restore-test';
import { PointInTimeRecovery } from './point-in-time-recovery';
import { PostureCheck } from './posture-check';
import { ReplicationCheck } from './replication-check';
import { SnapshotRestoreTest } from './snapshot-restore-test';

/**
 * The primary-region stack (default us-east-1): backup, replication and posture checks, restore tests,
 * point-in-time recovery, the alarm router, database-failover follow-up, janitor, freshness monitor,
 * dashboard, notifications and evidence. Composition and wiring only.
 */
export class PrimaryStack extends DrStack {
  /** The weekly backup verification. */
  public readonly backupVerification: BackupVerification;
  /** The monthly snapshot restore test. */
  public readonly snapshotRestoreTest: SnapshotRestoreTest;
  /** The monthly dump restore test (Fargate, in the snapshot restore test's isolated network), when a database has a backups bucket. */
  public readonly dumpRestoreTest?: DumpRestoreTest;
  /** The operator-started point-in-time recovery. */
  public readonly pointInTimeRecovery: PointInTimeRecovery;
  /** The hourly replication check. */
  public readonly replicationCheck: ReplicationCheck;
  /** The daily posture check. */
  public readonly postureCheck: PostureCheck;

  constructor(scope: Construct, id: string, props: DrStackProps) {
    super(scope, id, props);
    this.backupVerification = new BackupVerification(this, 'BackupVerification', {
      plan: props.plan,
      reporting: this.reporting,
      evidenceBucket: this.evidence.bucket,
      alarms: this.alarms,
    });
    this.watchScheduledJob(this.backupVerification.workflow);
    this.replicationCheck = new ReplicationCheck(this, 'ReplicationCheck', {
      plan: props.plan,
      reporting: this.reporting,
      evidenceBucket: this.evidence.bucket,
      alarms: this.alarms,
    });
    this.watchScheduledJob(this.replicationCheck.workflow);
    this.postureCheck = new PostureCheck(this, 'PostureCheck', {
      plan: props.plan,
      reporting: this.reporting,
      evidenceBucket: this.evidence.bucket,
      alarms: this.alarms,
    });
    this.watchScheduledJob(this.postureCheck.workflow);
    this.snapshotRestoreTest = new SnapshotRestoreTest(this, 'SnapshotRestoreTest', {
      plan: props.plan,
      reporting: this.reporting,
      dashboard: this.dashboard,
    });
    this.watchScheduledJob(this.snapshotRestoreTest.workflow);
    // Only when some database has dumps to restore: a test of nothing would pass every month.
    if (dumpRestoreItems(props.plan).length > 0) {
      this.dumpRestoreTest = new DumpRestoreTest(this, 'DumpRestoreTest', {
        plan: props.plan,
        reporting: this.reporting,
        evidenceBucket: this.evidence.bucket,
        network: this.snapshotRestoreTest.network,
      });
      this.watchScheduledJob(this.dumpRestoreTest.workflow);
    }
    this.pointInTimeRecovery = new PointInTimeRecovery(this, 'PointInTimeRecovery', {
      plan: props.plan,
      reporting: this.reporting,
    });
  }

  /**
   * The zones this stack builds in, from the plan: without this override a VPC asks `Stack.availabilityZones`,
   * which for a stack with an account and region is a context lookup that needs AWS credentials — and synth
   * must stay offline.
   */
  public override get availabilityZones(): string[] {
    const { primary } = this.plan.regions;
    return [...(this.plan.restoreTest.availabilityZones ?? [`${primary}a`, `${primary}b`])];
  }
}
