import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { WorkflowDescriptor } from '../functions/report/evidence';
import { givenStateMachineName, statesArn } from './arns';
import { DrFunction } from './dr-function';
import { acknowledgeWildcards } from './nag';
import type { DrPlan } from './plan';

export interface ReportingProps {
  readonly plan: DrPlan;
  /** Where evidence records go. */
  readonly evidenceBucket: s3.IBucket;
  /** The stack's notification topic. */
  readonly topic: sns.ITopic;
}

/**
 * The report step's function (every workflow ends in it) and the status-change reporter (for runs that end
 * FAILED, TIMED_OUT or ABORTED without reaching it). Workflows register with `register`; the registered list is
 * what the freshness monitor's daily reconciliation walks, for runs whose status-change event never arrived.
 */
export class Reporting extends Construct {
  /** Writes evidence and notifies: the report fragment's function. */
  public readonly reportFunction: DrFunction;
  /** Reports runs that ended outside the report fragment. */
  public readonly statusChangeReporter: DrFunction;

  private readonly props: ReportingProps;
  private readonly registered: { stateMachineName: string; descriptor: WorkflowDescriptor }[] = [];

  constructor(scope: Construct, id: string, props: ReportingProps) {
    super(scope, id);
    this.props = props;
    const { plan } = props;
    const environment = this.environment();
    this.reportFunction = new DrFunction(this, 'ReportFunction', {
      plan,
      entry: 'functions/report/handler.ts',
      description: 'Writes a workflow run’s evidence record and notifies by the workflow’s policy',
      environment,
      timeout: Duration.seconds(60),
    });
    this.statusChangeReporter = new DrFunction(this, 'StatusChangeReporter', {
      plan,
      entry: 'functions/status-change-reporter/handler.ts',
      description: 'Reports workflow runs that ended failed, timed out or aborted without their report step',
      environment,
      timeout: Duration.seconds(60),
    });

    for (const fn of [this.reportFunction, this.statusChangeReporter]) this.grantReport(fn);
  }

  /** What a function that reports needs in its environment: the evidence bucket and the topic. */
  public environment(): { EVIDENCE_BUCKET: string; TOPIC_ARN: string } {
    return { EVIDENCE_BUCKET: this.props.evidenceBucket.bucketName, TOPIC_ARN: this.props.topic.topicArn };
  }

  /**
   * The registered workflows (state machine and descriptor) as JSON, resolved at synth so workflows registered
   * after the caller read it are included: what the daily reconciliation walks.
   */
  public registeredWorkflowsJson(): string {
    // By name, not ARN (the freshness monitor's environment; functions/freshness/handler.ts expands it).
    return Lazy.string({
      produce: () =>
        Stack.of(this).toJsonString(
          this.registered.map((r) => ({ stateMachine: r.stateMachineName, descriptor: r.descriptor })),
        ),
    });
  }

  /**
   * Lets a function report runs as the report step does: read and write evidence and markers (runs/*, state/*),
   * read execution histories, publish to the topic.
   */
  public grantReport(fn: DrFunction): void {
    const { plan, evidenceBucket, topic } = this.props;
    const executions = statesArn(this, 'execution', plan.system.namePrefix);
    fn.allow({
      actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
      resources: [evidenceBucket.arnForObjects('runs/*'), evidenceBucket.arnForObjects('state/*')],
    });
    fn.allow({ actions: ['s3:ListBucket'], resources: [evidenceBucket.bucketArn] });
    fn.allow({ actions: ['states:GetExecutionHistory'], resources: [`${executions}:*`] });
    // Also grants kms:GenerateDataKey* and kms:Decrypt on the topic's key, which publishing to an encrypted topic needs.
    topic.grantPublish(fn);
    acknowledgeWildcards(
      fn.role,
      { actions: ['kms:GenerateDataKey*'] },
      'CDK’s grant for publishing to the KMS-encrypted topic, limited to that one key.',
    );
    acknowledgeWildcards(
      fn.role,
      {
        resources: [evidenceBucket.arnForObjects('runs/*'), evidenceBucket.arnForObjects('state/*'), `${executions}:*`],
      },
      'Evidence objects are keyed by run (runs/*, state/*) and histories by execution (edr-*:*): names known only at run time, limited to our prefixes.',
    );
  }

  /** Sends the workflow's FAILED, TIMED_OUT and ABORTED runs to the status-change reporter. */
  public register(stateMachine: sfn.IStateMachine, descriptor: WorkflowDescriptor): events.Rule {
    this.registered.push({ stateMachineName: givenStateMachineName(stateMachine), descriptor });
    const rule = new events.Rule(stateMachine, 'EndedOutsideReport', {
      description: `Reports ${descriptor.title} runs that ended without their report step`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [stateMachine.stateMachineArn], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
    });
    rule.addTarget(
      new targets.LambdaFunction(this.statusChangeReporter, {
        event: events.RuleTargetInput.fromObject({ descriptor, detail: events.EventField.fromPath('$.detail') }),
        retryAttempts: 3,
      }),
    );
    return rule;
  }
}
