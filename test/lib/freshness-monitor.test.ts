import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DrAlarmFactory } from '../../lib/alarms';
import { DrDashboard } from '../../lib/dashboard';
import { EvidenceStore } from '../../lib/evidence-store';
import { statesArn } from '../../lib/arns';
import { FreshnessMonitor } from '../../lib/freshness-monitor';
import { Reporting } from '../../lib/reporting';
import { acknowledgeWildcards } from '../../lib/nag';
import { Notifications } from '../../lib/notifications';
import { defaultPlan } from '../../lib/plan';
import { nagFindings } from '../support/nag';

/** A scheduled workflow as `watch` reads it: the descriptor names the job, the schedule bounds it. */
function scheduled(workflow: string, stateMachine: sfn.StateMachine, schedule?: string) {
  return { descriptor: { workflow, title: workflow, policy: 'onFailure' as const }, stateMachine, schedule };
}

/** A small stack: the stack's topic, one Pass state machine watched on a daily schedule, and the monitor. */
function build(options: { nag?: boolean } = {}) {
  const plan = defaultPlan();
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'edr-freshness-')) });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'FreshnessTest', { env: { region: 'us-east-1', account: '123456789012' } });
  const notifications = new Notifications(stack, 'Notifications', {
    notifications: plan.notifications,
    namePrefix: 'edr',
  });
  const dashboard = new DrDashboard(stack, 'Dashboard', { dashboardName: 'edr-freshness-test' });
  const alarms = new DrAlarmFactory(stack, 'Alarms', { prefix: 'edr', topic: notifications.topic, dashboard });
  const evidence = new EvidenceStore(stack, 'Evidence', { evidence: plan.evidence });
  const reporting = new Reporting(stack, 'Reporting', {
    plan,
    evidenceBucket: evidence.bucket,
    topic: notifications.topic,
  });
  const monitor = new FreshnessMonitor(stack, 'Freshness', { plan, alarms, reporting });
  const janitor = new sfn.StateMachine(stack, 'Janitor', {
    stateMachineName: 'edr-janitor',
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Done')),
    tracingEnabled: true,
    logs: { destination: new logs.LogGroup(stack, 'JanitorLogs'), level: sfn.LogLevel.ALL },
  });
  // Watched after the monitor was created: the function's environment must still list it.
  const watched = monitor.watch(scheduled('janitor', janitor, 'cron(0 4 * * ? *)'));
  // The stand-in job's own role (X-Ray and log delivery on *) is test scaffolding, not the monitor's.
  acknowledgeWildcards(
    janitor.role,
    { resources: ['*'] },
    'Test stand-in job: X-Ray and CloudWatch Logs delivery support no resource-level permissions.',
  );
  return { app, stack, monitor, janitor, watched };
}

describe('FreshnessMonitor', () => {
  const { stack, monitor, janitor, watched } = build();
  const template = Template.fromStack(stack);
  const janitorArn = { Ref: stack.getLogicalId(janitor.node.defaultChild as sfn.CfnStateMachine) };
  const topicRef = { Ref: Match.stringLikeRegexp('^NotificationsTopic') };

  it('returns the job, its alarm and the threshold the alarm fires above from watch()', () => {
    const cfn = watched.alarm.node.defaultChild as cloudwatch.CfnAlarm;
    expect([watched.job, watched.threshold]).toEqual(['janitor', 30]);
    expect([cfn.metricName, cfn.threshold, stack.resolve(cfn.dimensions)]).toEqual([
      'HoursSinceSuccess',
      30,
      [{ name: 'Job', value: 'janitor' }],
    ]);
  });

  it('alarms when the job has not succeeded for its 24-hour interval plus 6 hours of grace', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'EntmootDR',
      MetricName: 'HoursSinceSuccess',
      Dimensions: [{ Name: 'Job', Value: 'janitor' }],
      Statistic: 'Maximum',
      Period: 86400,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 30,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('treats a missing datapoint as overdue, so a monitor that stops running also alarms', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HoursSinceSuccess',
      TreatMissingData: 'breaching',
    });
  });

  it('sends the alarm and its recovery to the stack’s topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'HoursSinceSuccess',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
  });

  it('alarms to the same topic when the monitor itself fails', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Threshold: 0,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
  });

  it('lists the job, watched after the monitor was created, in the function’s FRESHNESS_JOBS, by name', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { FRESHNESS_JOBS: Match.anyValue() } } },
    });
    const [fn] = Object.values(functions);
    const variables = fn.Properties.Environment.Variables;
    // Names, and the ARNs' prefix once, as literal text: Lambda allows 4 KB of environment in all.
    expect(JSON.parse(variables.FRESHNESS_JOBS)).toEqual([
      { job: 'janitor', stateMachine: 'edr-janitor', intervalHours: 24, graceHours: 6 },
    ]);
    // (This test app keeps CDK's partition token; cdk.json's flags make it the literal `aws`.)
    expect(variables.STATE_MACHINE_ARN_PREFIX).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:us-east-1:123456789012:stateMachine:']],
    });
    expect(monitor.jobs).toHaveLength(1);
  });

  it('refuses to watch a state machine without a name given at synth', () => {
    const fresh = build();
    const unnamed = new sfn.StateMachine(fresh.stack, 'Unnamed', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(fresh.stack, 'Nothing')),
    });

    expect(() => fresh.monitor.watch(scheduled('unnamed', unnamed, 'rate(1 day)'))).toThrow(
      'state machine FreshnessTest/Unnamed has no name given at synth: name it (DrWorkflow does)',
    );
  });

  it('lets the function read that state machine, and our own workflows’ executions only (reconciliation)', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['states:ListExecutions']) })]),
        },
      },
    });
    const statements = Object.values(policies).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );
    const sfnStatements = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('states:')));
    const executions = stack.resolve(`${statesArn(stack, 'execution', 'edr')}:*`);
    expect(sfnStatements).toEqual([
      { Effect: 'Allow', Action: 'states:GetExecutionHistory', Resource: executions },
      {
        Effect: 'Allow',
        Action: 'states:ListExecutions',
        Resource: stack.resolve(statesArn(stack, 'stateMachine', 'edr')),
      },
      { Effect: 'Allow', Action: 'states:DescribeExecution', Resource: executions },
      { Effect: 'Allow', Action: ['states:ListExecutions', 'states:DescribeStateMachine'], Resource: janitorArn },
    ]);
  });

  it('runs the monitor on the plan’s daily freshness schedule', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 9 * * ? *)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FreshnessFunction'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
    });
  });

  it('refuses a job watched twice, and a schedule it cannot bound', () => {
    const fresh = build();

    expect(() => fresh.monitor.watch(scheduled('janitor', fresh.janitor, 'cron(0 4 * * ? *)'))).toThrow(
      'job "janitor" is already watched',
    );
    expect(() => fresh.monitor.watch(scheduled('drill', fresh.janitor, 'cron(0 4 * * ? 2026)'))).toThrow(
      '"cron(0 4 * * ? 2026)"',
    );
    expect(() => fresh.monitor.watch(scheduled('the janitor', fresh.janitor, 'rate(1 day)'))).toThrow(
      'job "the janitor" must be',
    );
  });

  it('refuses a workflow without a schedule, which can never be overdue', () => {
    const fresh = build();

    expect(() => fresh.monitor.watch(scheduled('restore-test', fresh.janitor))).toThrow(
      'workflow "restore-test" has no schedule',
    );
  });

  it('leaves no unacknowledged cdk-nag AwsSolutions finding', () => {
    const { app } = build({ nag: true });
    expect(nagFindings(app)).toEqual([]);
  });
});
