import { Match, type Template } from 'aws-cdk-lib/assertions';
import { POSTURE_CHECKS } from '../../functions/posture-check/targets';
import { REPLICATION_CHECKS } from '../../functions/replication-check/targets';
import type { PrimaryStack } from '../../lib/primary-stack';
import { stackWorkflows } from '../support/dr-workflows';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';
import { collectStates } from '../support/workflow/asl';

const plan = configuredPlan({
  buckets: [
    {
      name: 'entmoot-prod-files',
      role: 'files',
      drBucket: 'entmoot-prod-files-us-west-2',
      sampleKeys: ['health/probe.txt'],
    },
    { name: 'entmoot-prod-backups', role: 'backups' },
  ],
});
let primary: Template;
let stack: PrimaryStack;
beforeAll(() => {
  const synthesized = synthesize(plan);
  primary = synthesized.primary;
  stack = synthesized.stacks.primary as PrimaryStack;
});

function statementsOf(policyName: string): unknown[] {
  const policies = Object.values(
    primary.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp(policyName) } }),
  );
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement as unknown[]);
}

const resultsWrite = (workflow: string) => ({
  Action: 's3:PutObject',
  Effect: 'Allow',
  Resource: {
    'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^EvidenceBucket/), 'Arn'] }, `/runs/${workflow}/*`]],
  },
});
const logs = { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: expect.anything() };

describe('the replication and posture checks in the primary stack', () => {
  it('are scheduled hourly and daily and watched by the freshness monitor', () => {
    primary.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'edr-replication-check' });
    primary.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'edr-posture-check' });
    const schedules = Object.values(primary.findResources('AWS::Events::Rule')).map(
      (r) => r.Properties.ScheduleExpression,
    );
    expect(schedules).toEqual(expect.arrayContaining(['rate(1 hour)', 'cron(0 7 * * ? *)']));
    expect(stack.freshness.jobs.filter((j) => /check$/.test(j.job)).map((j) => [j.job, j.intervalHours])).toEqual([
      ['replication-check', 1],
      ['posture-check', 24],
    ]);
    primary.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HoursSinceSuccess',
      Dimensions: [{ Name: 'Job', Value: 'replication-check' }],
      Threshold: 1 + plan.freshness.graceHours,
    });
  });

  it('have one alarm per check, without actions: the on-change report is the one notifier', () => {
    for (const [workflow, checks, period] of [
      ['replication-check', REPLICATION_CHECKS, 3600],
      ['posture-check', POSTURE_CHECKS, 86400],
    ] as const) {
      const alarms = Object.values(
        primary.findResources('AWS::CloudWatch::Alarm', {
          Properties: { AlarmName: Match.stringLikeRegexp(`^edr-${workflow}-.*-failed$`) },
        }),
      ).map((a) => a.Properties);

      expect(alarms.map((a) => a.Dimensions).sort((x, y) => x[0].Value.localeCompare(y[0].Value))).toEqual(
        [...checks].sort().map((check) => [{ Name: 'Check', Value: check }]),
      );
      for (const alarm of alarms) {
        expect(alarm).toEqual({
          AlarmName: `edr-${workflow}-${alarm.Dimensions[0].Value}-failed`,
          AlarmDescription: expect.any(String),
          Namespace: 'EntmootDR',
          MetricName: 'CheckFailed',
          Dimensions: alarm.Dimensions,
          Statistic: 'Maximum',
          Period: period,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'ignore',
        });
      }
    }
  });

  it('notify when the replication check published nothing for two hours', () => {
    primary.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'edr-replication-check-silent',
      Namespace: 'EntmootDR',
      MetricName: 'ChecksRun',
      Dimensions: [{ Name: 'Workflow', Value: 'replication-check' }],
      Statistic: 'SampleCount',
      Period: 3600,
      EvaluationPeriods: 2,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^NotificationsTopic') }],
    });
  });

  it('let the replication check read only the plan’s replicated buckets, sample objects and replicas, and write only its results', () => {
    expect(statementsOf('ReplicationCheckFleetCheckBatch')).toEqual([
      logs,
      {
        Action: ['cloudwatch:GetMetricData', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        Effect: 'Allow',
        Resource: '*',
      },
      resultsWrite('replication-check'),
      { Action: 's3:GetReplicationConfiguration', Effect: 'Allow', Resource: 'arn:aws:s3:::entmoot-prod-files' },
      {
        Action: ['s3:GetBucketVersioning', 's3:ListBucket'],
        Effect: 'Allow',
        Resource: ['arn:aws:s3:::entmoot-prod-files', 'arn:aws:s3:::entmoot-prod-files-us-west-2'],
      },
      { Action: 's3:GetObject', Effect: 'Allow', Resource: 'arn:aws:s3:::entmoot-prod-files/health/probe.txt' },
      {
        Action: 's3:GetObjectVersion',
        Effect: 'Allow',
        Resource: 'arn:aws:s3:::entmoot-prod-files-us-west-2/health/probe.txt',
      },
      {
        Action: 'rds:DescribeDBInstances',
        Effect: 'Allow',
        Resource: ['arn:aws:rds:us-east-1:123456789012:db:*', 'arn:aws:rds:us-west-2:123456789012:db:*'],
      },
    ]);
  });

  it('let the posture check read only configuration of the plan’s buckets and databases, and write only its results', () => {
    expect(statementsOf('PostureCheckFleetCheckBatch')).toEqual([
      logs,
      {
        Action: ['s3:GetAccountPublicAccessBlock', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        Effect: 'Allow',
        Resource: '*',
      },
      resultsWrite('posture-check'),
      { Action: 'rds:DescribeDBInstances', Effect: 'Allow', Resource: 'arn:aws:rds:us-east-1:123456789012:db:*' },
      {
        Action: [
          's3:GetBucketPublicAccessBlock',
          's3:GetBucketVersioning',
          's3:GetEncryptionConfiguration',
          's3:GetLifecycleConfiguration',
        ],
        Effect: 'Allow',
        Resource: ['arn:aws:s3:::entmoot-prod-backups', 'arn:aws:s3:::entmoot-prod-files'],
      },
    ]);
  });

  it('list their batches at synth, one kind per batch, and check fleet.maxConcurrency at a time', () => {
    const workflows = stackWorkflows(primary.toJSON(), plan.regions.primary, plan);
    const states = collectStates(workflows.machine('ReplicationCheckFleetWorkflowStateMachine').definition);

    expect(states.get('List Batches')?.state.Result).toEqual([
      { kind: 'bucket', targets: [{ kind: 'bucket', bucket: 'entmoot-prod-files' }] },
      { kind: 'database', targets: [{ kind: 'database', id: 'entmoot-prod' }] },
    ]);
    expect(states.get('Check Each Batch')?.state).toMatchObject({
      MaxConcurrency: plan.fleet.maxConcurrency,
      ItemSelector: {
        'batch.$': '$$.Map.Item.Value',
        'resultsPrefix.$': '$.run.prefix',
        'index.$': '$$.Map.Item.Index',
      },
    });
  });
});
