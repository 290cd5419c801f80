import { ArnFormat } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ApprovalEndpoint } from './approval-gate';
import { DrStack, type DrStackProps } from './dr-stack';
import { FailoverReadiness } from './failover-readiness';
import { FailoverSwitch } from './failover-switch';
import { notificationTopicName } from './notifications';

/**
 * The recovery-region stack (default us-west-2): failover readiness, regional failover and its drill, the
 * region prober, approvals, janitor, freshness monitor, dashboard, notifications and evidence, and the one AWS
 * Chatbot Slack channel of both stacks. It shares no
 * CloudFormation reference with the primary stack, so it deploys and runs while the primary region is down.
 */
export class RecoveryStack extends DrStack {
  /** The two-person approval gate's table, functions and endpoint. */
  public readonly approvals: ApprovalEndpoint;
  /** The daily failover readiness check. */
  public readonly failoverReadiness: FailoverReadiness;
  /** The alarm and Route 53 health check a regional failover flips, when the plan's DNS control is a
   * `healthCheckAlarm` this stack creates; otherwise undefined. */
  public readonly failoverSwitch?: FailoverSwitch;

  constructor(scope: Construct, id: string, props: DrStackProps) {
    super(scope, id, props);
    // AWS Chatbot is global: one Slack channel, here, because this stack must work while the primary region is
    // down; it also carries the primary stack's topic, found by its deterministic name.
    const { namePrefix } = props.plan.system;
    const primaryTopicArn = this.formatArn({
      service: 'sns',
      region: props.plan.regions.primary,
      resource: notificationTopicName(namePrefix),
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
    this.notifications.addSlackChannel(props.plan.notifications.slack, [primaryTopicArn]);
    this.approvals = new ApprovalEndpoint(this, 'Approvals', { plan: props.plan, topic: this.notifications.topic });
    this.failoverReadiness = new FailoverReadiness(this, 'FailoverReadiness', {
      plan: props.plan,
      reporting: this.reporting,
      evidenceBucket: this.evidence.bucket,
      alarms: this.alarms,
    });
    this.watchScheduledJob(this.failoverReadiness.workflow);
    const control = props.plan.dns.control;
    if (control.kind === 'healthCheckAlarm' && control.createdByStack) {
      this.failoverSwitch = new FailoverSwitch(this, 'FailoverSwitch', { plan: props.plan, alarms: this.alarms });
    }
  }
}
