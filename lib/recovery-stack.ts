import type { Construct } from 'constructs';
import { ApprovalEndpoint } from './approval-gate';
import { DrStack, type DrStackProps } from './dr-stack';

/**
 * The recovery-region stack (default us-west-2): failover readiness, regional failover and its drill, the
 * region prober, approvals, janitor, freshness monitor, dashboard, notifications and evidence. It shares no
 * CloudFormation reference with the primary stack, so it deploys and runs while the primary region is down.
 */
export class RecoveryStack extends DrStack {
  /** The two-person approval gate's table, functions and endpoint. */
  public readonly approvals: ApprovalEndpoint;

  constructor(scope: Construct, id: string, props: DrStackProps) {
    super(scope, id, props);
    this.approvals = new ApprovalEndpoint(this, 'Approvals', { plan: props.plan, topic: this.notifications.topic });
  }
}
