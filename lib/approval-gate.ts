import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../functions/approval/approval-table';
import { APPROVAL_ENDPOINT_OUTPUT } from '../functions/approval/decision-request';
import { DrFunction } from './dr-function';
import { acknowledgeWildcards } from './nag';
import type { DrPlan } from './plan';

export interface ApprovalEndpointProps {
  readonly plan: DrPlan;
  /** The stack's topic: approval requests are announced there. */
  readonly topic: sns.ITopic;
}

/**
 * The two-person approval gate's AWS side, in the recovery stack so it answers while the primary region is
 * down: the approvals table, the request function a workflow's gate invokes (`.waitForTaskToken`), and the
 * decision function behind a function URL with `AWS_IAM` auth that only the plan's approvers may invoke.
 */
export class ApprovalEndpoint extends Construct {
  public readonly table: dynamodb.Table;
  /** Invoked by the gate's Request Approval task: stores the token, announces the request. */
  public readonly requestFunction: DrFunction;
  /** Behind the function URL: records decisions and ends the waiting task. */
  public readonly decisionFunction: DrFunction;
  public readonly url: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: ApprovalEndpointProps) {
    super(scope, id);
    const { plan } = props;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.requestFunction = new DrFunction(this, 'RequestFunction', {
      plan,
      entry: 'functions/approval/request-handler.ts',
      description: 'Approval gate: stores the waiting task’s token and announces APPROVAL NEEDED',
      environment: { APPROVALS_TABLE: this.table.tableName, TOPIC_ARN: props.topic.topicArn },
      timeout: Duration.seconds(30),
    });
    this.requestFunction.allow({
      actions: ['dynamodb:PutItem', 'dynamodb:Query'],
      resources: [this.table.tableArn],
    });
    // Also grants kms:GenerateDataKey* and kms:Decrypt on the topic's key, which publishing to an encrypted topic needs.
    props.topic.grantPublish(this.requestFunction);
    acknowledgeWildcards(
      this.requestFunction.role,
      { actions: ['kms:GenerateDataKey*'] },
      'CDK’s grant for publishing to the KMS-encrypted topic, limited to that one key.',
    );

    this.decisionFunction = new DrFunction(this, 'DecisionFunction', {
      plan,
      entry: 'functions/approval/decide-handler.ts',
      description: 'Approval endpoint: records an approver’s decision and ends the waiting task',
      environment: { APPROVALS_TABLE: this.table.tableName },
      timeout: Duration.seconds(30),
    });
    this.decisionFunction.allow({
      actions: [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'dynamodb:PutItem',
        'dynamodb:ConditionCheckItem',
      ],
      resources: [this.table.tableArn],
    });
    // The Service Authorization Reference lists no resource type for SendTaskSuccess/SendTaskFailure: the task
    // token, read from the table, is what authorizes a callback, so the statement must name "*".
    this.decisionFunction.allow({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: ['*'] });
    acknowledgeWildcards(
      this.decisionFunction.role,
      { resources: ['*'] },
      'states:SendTaskSuccess/SendTaskFailure support no resource-level permissions (the task token authorizes the call); X-Ray actions likewise.',
    );

    this.url = this.decisionFunction.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    for (const approver of plan.approvers) this.decisionFunction.grantInvokeUrl(new iam.ArnPrincipal(approver.arn));
    new CfnOutput(this, 'Url', {
      key: APPROVAL_ENDPOINT_OUTPUT,
      value: this.url.url,
      description: 'The approval endpoint: npx entmoot-dr approve|reject sign their requests to it',
    });
  }
}
