import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { DrPlan } from './plan';

export interface NotificationsProps {
  /** The plan's notification settings: e-mail list and optional Slack channel. */
  readonly notifications: DrPlan['notifications'];
  /** The plan's name prefix: the topic is named `<prefix>-notifications` in each stack's region. */
  readonly namePrefix: string;
}

/** The topic's name, the same in both regions: the recovery stack's Slack channel finds the primary's by it. */
export function notificationTopicName(namePrefix: string): string {
  return `${namePrefix}-notifications`;
}

/**
 * The stack's one notification topic, named `<prefix>-notifications`: encrypted with a customer-managed key that
 * CloudWatch alarms and EventBridge may use, publishing only over TLS and, for those two services, only from this
 * account's alarms and rules; with the plan's e-mail subscribers. The AWS Chatbot Slack channel is added by the
 * recovery stack alone (`addSlackChannel`): Chatbot is global, so one channel configuration serves both topics.
 */
export class Notifications extends Construct {
  /** The topic every report, alarm and notification goes to. */
  public readonly topic: sns.Topic;
  /** The key that encrypts the topic. */
  public readonly key: kms.Key;
  /** The Slack channel configuration, when this stack added one. */
  public slackChannel?: chatbot.SlackChannelConfiguration;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);

    this.key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the Entmoot DR notification topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Alarms and EventBridge publish to an encrypted topic only if the key lets their service principals use it.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmAndEventPublishers',
        principals: [
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
          new iam.ServicePrincipal('events.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      topicName: notificationTopicName(props.namePrefix),
      displayName: 'Entmoot DR',
      masterKey: this.key,
      enforceSSL: true,
    });
    // The topic policy (not the key policy) carries the confused-deputy conditions: only this account's alarms
    // and rules may publish.
    const stack = Stack.of(this);
    const publishers = [
      {
        sid: 'AllowAlarmsOfThisAccount',
        service: 'cloudwatch',
        source: stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
      {
        sid: 'AllowRulesOfThisAccount',
        service: 'events',
        source: stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*' }),
      },
    ];
    for (const { sid, service, source } of publishers) {
      this.topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          principals: [new iam.ServicePrincipal(`${service}.amazonaws.com`)],
          actions: ['sns:Publish'],
          resources: [this.topic.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': source },
          },
        }),
      );
    }

    for (const address of props.notifications.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(address));
    }
  }

  /**
   * Adds the plan's Slack channel (when it names one), subscribed to this topic and to the topics named by
   * `otherTopicArns` — by ARN, not by reference, so the stacks stay independent. Call it in one stack only:
   * a Chatbot channel configuration name is global to the account.
   */
  public addSlackChannel(
    slack: DrPlan['notifications']['slack'],
    otherTopicArns: readonly string[],
  ): chatbot.SlackChannelConfiguration | undefined {
    if (!slack) return undefined;
    if (this.slackChannel) throw new Error('addSlackChannel: the Slack channel exists already: add it once');
    this.slackChannel = new chatbot.SlackChannelConfiguration(this, 'SlackChannel', {
      slackChannelConfigurationName: 'entmoot-dr',
      slackWorkspaceId: slack.workspaceId,
      slackChannelId: slack.channelId,
      notificationTopics: [
        this.topic,
        ...otherTopicArns.map((arn, i) => sns.Topic.fromTopicArn(this, `SlackTopic${i}`, arn)),
      ],
      loggingLevel: chatbot.LoggingLevel.ERROR,
      // Notifications only: nobody runs AWS commands from the channel.
      guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AWSDenyAll')],
    });
    return this.slackChannel;
  }
}
