import { Match } from 'aws-cdk-lib/assertions';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';

describe('the house Lambda functions', () => {
  const { primary } = synthesize();
  const functions = primary.findResources('AWS::Lambda::Function');

  it('run on the newest Node.js runtime, arm64, with active tracing and an explicit log group', () => {
    expect(Object.keys(functions).length).toBeGreaterThanOrEqual(3);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: expect.anything(), LogFormat: 'JSON' },
      });
    }
  });

  it('carry no plan data and no secret in their environment', () => {
    for (const fn of Object.values(functions)) {
      const env = JSON.stringify(fn.Properties.Environment ?? {});
      expect(env).not.toContain('EDR_PLAN');
      expect(env).not.toMatch(/password|secret|token/i);
    }
  });

  it('use roles without AWS managed policies', () => {
    for (const role of Object.values(primary.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('evidence', () => {
  it('is kept in a versioned, TLS-only bucket that expires records after the plan’s retention', () => {
    const { primary } = synthesize();
    primary.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ ExpirationInDays: 400, NoncurrentVersionExpiration: { NoncurrentDays: 400 } }),
        ]),
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'evidence/' }),
    });
    primary.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('is locked in governance mode when the plan asks for Object Lock', () => {
    const { recovery } = synthesize(configuredPlan({ evidence: { retentionDays: 90, objectLock: true } }));
    recovery.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 90 } },
      },
    });
  });
});

describe('the janitor workflow', () => {
  const { primary, recovery } = synthesize();

  it.each([
    ['primary', primary],
    ['recovery', recovery],
  ])('runs in the %s stack on the plan’s daily schedule with a timeout', (_, template) => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'edr-janitor',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 4 * * ? *)', State: 'ENABLED' });
    const definition = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('\\"TimeoutSeconds\\":7200');
  });

  it('may delete only instances and snapshots tagged with this stack as owner and a removable lifecycle', () => {
    for (const [action, tag] of [
      ['rds:deleteDBInstance', 'db-tag'],
      ['rds:deleteDBSnapshot', 'snapshot-tag'],
    ]) {
      primary.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: action,
              Condition: {
                StringEquals: {
                  [`rds:${tag}/entmoot-dr:owner`]: 'EntmootDrPrimary',
                  [`rds:${tag}/entmoot-dr:lifecycle`]: ['ephemeral', 'rotating'],
                },
              },
            }),
          ]),
        },
      });
    }
  });

  it('sends its failed, timed-out and aborted runs to the status-change reporter', () => {
    primary.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [Match.anyValue()] },
      },
      Targets: [Match.objectLike({ InputTransformer: Match.objectLike({ InputPathsMap: { detail: '$.detail' } }) })],
    });
  });
});

describe('freshness', () => {
  it('watches every scheduled job of each stack', () => {
    const { stacks } = synthesize();
    expect(stacks.primary.freshness.jobs.map((j) => j.job)).toEqual(['janitor', 'backup-verification']);
    expect(stacks.recovery.freshness.jobs.map((j) => j.job)).toEqual(['janitor']);
  });

  it('alarms when the weekly verification is overdue by a week plus the grace', () => {
    const { primary } = synthesize();
    primary.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HoursSinceSuccess',
      Dimensions: [{ Name: 'Job', Value: 'backup-verification' }],
      Threshold: 168 + 6,
    });
  });
});

describe('the dashboard', () => {
  const body = (template: ReturnType<typeof synthesize>['primary']): string => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    return JSON.stringify(dashboards[0]?.Properties.DashboardBody);
  };

  it('shows each scheduled job’s runs and hours since success against its overdue line', () => {
    const { primary, recovery } = synthesize();
    for (const text of [body(primary), body(recovery)]) {
      expect(text).toContain('Janitor: runs by outcome');
      expect(text).toContain('janitor: hours since last success');
      expect(text).toContain('\\"value\\":30,\\"label\\":\\"overdue\\"');
    }
    expect(body(primary)).toContain('\\"value\\":174,\\"label\\":\\"overdue\\"');
    expect(body(recovery)).not.toContain('backup-verification');
  });

  it('puts every backup check’s alarm in the primary stack’s alarm status widget', () => {
    const text = body(synthesize().primary);
    expect(text).toContain('\\"type\\":\\"alarm\\"');
    expect((text.match(/BackupVerificationAlarm/g) ?? []).length).toBeGreaterThanOrEqual(10);
  });
});
