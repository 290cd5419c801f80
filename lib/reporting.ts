import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { WorkflowDescriptor } from '../functions/report/evidence';
import { statesArn } from './arns';
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
 * FAILED, TIMED_OUT or ABORTED without reaching it). Workflows register with `register`.
 */
export class Reporting extends Construct {
  /** Writes evidence and notifies: the report fragment's function. */
  public readonly reportFunction: DrFunction;
  /** Reports runs that ended outside the report fragment. */
  public readonly statusChangeReporter: DrFunction;

  constructor(scope: Construct, id: string, props: ReportingProps) {
    super(scope, id);
    const { plan } = props;
    const environment = { EVIDENCE_BUCKET: props.evidenceBucket.bucketName, TOPIC_ARN: props.topic.topicArn };
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

    const executions = statesArn(this, 'execution', plan.system.namePrefix);
    for (const fn of [this.reportFunction, this.statusChangeReporter]) {
      fn.allow({
        actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
        resources: [props.evidenceBucket.arnForObjects('runs/*'), props.evidenceBucket.arnForObjects('state/*')],
      });
      fn.allow({ actions: ['s3:ListBucket'], resources: [props.evidenceBucket.bucketArn] });
      fn.allow({ actions: ['states:GetExecutionHistory'], resources: [`${executions}:*`] });
      // Also grants kms:GenerateDataKey* and kms:Decrypt on the topic's key, which publishing to an encrypted topic needs.
      props.topic.grantPublish(fn);
      acknowledgeWildcards(
        fn.role,
        { actions: ['kms:GenerateDataKey*'] },
        'CDK’s grant for publishing to the KMS-encrypted topic, limited to that one key.',
      );
      acknowledgeWildcards(
        fn.role,
        {
          resources: [
            props.evidenceBucket.arnForObjects('runs/*'),
            props.evidenceBucket.arnForObjects('state/*'),
            `${executions}:*`,
          ],
        },
        'Evidence objects are keyed by run (runs/*, state/*) and histories by execution (edr-*:*): names known only at run time, limited to our prefixes.',
      );
    }
  }

  /** Sends the workflow's FAILED, TIMED_OUT and ABORTED runs to the status-change reporter. */
  public register(stateMachine: sfn.IStateMachine, descriptor: WorkflowDescriptor): events.Rule {
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
