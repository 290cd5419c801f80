import { Match } from 'aws-cdk-lib/assertions';
import { DUMP_CHECKS } from '../../functions/backup-verification/check-integrity';
import { stackWorkflows } from '../support/dr-workflows';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';
import { collectStates } from '../support/workflow/asl';

/**
 * The check names the check functions publish in their results and CheckFailed metrics:
 * check-snapshot-age.ts, check-backup-objects.ts and check-integrity.ts (DUMP_CHECKS).
 */
const PUBLISHED_CHECKS = [
  'snapshot-age',
  'recovery-point-age',
  'replicated-backup-lag',
  'backup-age',
  'backup-count',
  'dump-size',
  ...Object.values(DUMP_CHECKS),
];

describe('the weekly backup verification', () => {
  const { stacks, primary, recovery } = synthesize();

  it('runs weekly in the primary stack only', () => {
    primary.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'edr-backup-verification' });
    primary.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 6 ? * MON *)' });
    expect(JSON.stringify(recovery.toJSON())).not.toContain('edr-backup-verification');
  });

  it('has exactly one alarm per published check, each firing on a failure and notifying the topic', () => {
    const alarms = Object.values(
      primary.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: 'CheckFailed', AlarmName: Match.stringLikeRegexp('^edr-backup-verification-') },
      }),
    );

    const checks = alarms.map((a) => {
      expect(a.Properties).toMatchObject({
        Namespace: 'EntmootDR',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'ignore',
        AlarmActions: [expect.anything()],
      });
      expect(a.Properties.Dimensions).toHaveLength(1);
      expect(a.Properties.Dimensions[0].Name).toBe('Check');
      return a.Properties.Dimensions[0].Value;
    });
    expect(checks.sort()).toEqual([...PUBLISHED_CHECKS].sort());
    // The recovery stack's per-check alarms are failover readiness's: none watches a backup check.
    const recoveryChecks = Object.values(
      recovery.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'CheckFailed' } }),
    ).map((a) => a.Properties.Dimensions[0].Value);
    expect(recoveryChecks.filter((c) => (PUBLISHED_CHECKS as readonly string[]).includes(c))).toEqual([]);
    expect(recoveryChecks).not.toHaveLength(0);
  });

  it('reads only the plan’s instances, snapshots and backups buckets, and writes only its results', () => {
    const policies = JSON.stringify(
      primary.findResources('AWS::IAM::Policy', {
        Properties: { PolicyName: Match.stringLikeRegexp('BackupVerificationCheckTarget') },
      }),
    );
    expect(policies).toContain(':rds:us-east-1:123456789012:db:entmoot-prod');
    expect(policies).toContain(':rds:us-west-2:123456789012:db:entmoot-prod');
    expect(policies).toContain(':s3:::entmoot-prod-backups/*');
    expect(policies).not.toContain('entmoot-prod-files');
    expect(policies).not.toMatch(/"Action":"rds:(Delete|Modify|Create)/);
    // Its one write: its results, under the weekly verification's prefix of the stack's own evidence bucket.
    expect(policies.match(/s3:PutObject/g)).toHaveLength(1);
    expect(policies).toMatch(
      /"Action":"s3:PutObject","Effect":"Allow","Resource":\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["EvidenceBucket[0-9A-F]{8}","Arn"\]\},"\/runs\/backup-verification\/\*"\]\]\}\}/,
    );
  });

  it('grants kms:Decrypt on the plan’s key for SSE-KMS backups', () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const { primary: template } = synthesize(
      configuredPlan({
        buckets: [
          { name: 'entmoot-prod-files', role: 'files' },
          { name: 'entmoot-prod-backups', role: 'backups', kmsKeyArn: key },
        ],
      }),
    );
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Decrypt', Resource: key })]) },
    });
  });

  it('checks every database, backups bucket and latest dump of the plan, a bounded number at once', () => {
    const plan = stacks.primary.plan;
    const machine = stackWorkflows(primary.toJSON(), plan.regions.primary, plan).machine(
      'BackupVerificationWorkflowStateMachine',
    );
    const states = collectStates(machine.definition);
    const { prefix, latestDumpKey } = plan.backups.keyLayout;

    expect(states.get('List Targets')?.state.Result).toEqual([
      ...plan.databases.map((db) => ({ kind: 'database', id: db.id })),
      ...plan.buckets.filter((b) => b.role === 'backups').map((b) => ({ kind: 'backups', bucket: b.name })),
      ...plan.databases.map((db) => ({ kind: 'dump', bucket: db.backupBucket, key: `${prefix}${latestDumpKey}` })),
    ]);
    expect(states.get('Check Each Target')?.state).toMatchObject({
      ItemsPath: '$.targets',
      MaxConcurrency: plan.fleet.maxConcurrency,
    });
  });
});
