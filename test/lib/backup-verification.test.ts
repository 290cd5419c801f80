import { Match } from 'aws-cdk-lib/assertions';
import { BACKUP_CHECKS } from '../../lib/backup-verification';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';

describe('the weekly backup verification', () => {
  const { primary, recovery } = synthesize();

  it('runs weekly in the primary stack only', () => {
    primary.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'edr-backup-verification' });
    primary.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 6 ? * MON *)' });
    expect(JSON.stringify(recovery.toJSON())).not.toContain('edr-backup-verification');
  });

  it('has one alarm per check that fires on a failure and notifies the topic', () => {
    for (const check of BACKUP_CHECKS) {
      primary.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'EntmootDR',
        MetricName: 'CheckFailed',
        Dimensions: [{ Name: 'Check', Value: check }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'ignore',
        AlarmActions: [Match.anyValue()],
      });
    }
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

  it('embeds every target of the plan in the workflow', () => {
    const definition = JSON.stringify(primary.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain(
      '\\"kind\\":\\"dump\\",\\"bucket\\":\\"entmoot-prod-backups\\",\\"key\\":\\"latest.sql\\"',
    );
    expect(definition).toContain('\\"MaxConcurrency\\":5');
  });
});
