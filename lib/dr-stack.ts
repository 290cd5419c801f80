import { Annotations, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EvidenceStore } from './evidence-store';
import { FreshnessMonitor } from './freshness-monitor';
import { Janitor } from './janitor';
import { Notifications } from './notifications';
import { Reporting } from './reporting';
import { exampleValuePaths, type DrPlan } from './plan';

/** Which of the two regions a stack serves. */
export type StackRole = 'primary' | 'recovery';

export interface DrStackProps extends StackProps {
  /** The validated DR plan. */
  readonly plan: DrPlan;
}

/**
 * What both stacks share: the notification topic, evidence bucket, reporting, freshness monitor and janitor, and a warning for every plan field still at its example
 * value (so `cdk deploy --strict` refuses a half-configured plan).
 */
export abstract class DrStack extends Stack {
  /** The validated DR plan. */
  public readonly plan: DrPlan;
  /** The stack's notification topic and key. */
  public readonly notifications: Notifications;
  /** Which region this stack serves. */
  public abstract readonly role: StackRole;
  /** The evidence bucket every run writes to. */
  public readonly evidence: EvidenceStore;
  /** The report step's function and the status-change reporter. */
  public readonly reporting: Reporting;
  /** The daily janitor. */
  public readonly janitor: Janitor;
  /** Hours since each scheduled job last succeeded; scheduled jobs register with `freshness.watch`. */
  public readonly freshness: FreshnessMonitor;

  protected constructor(scope: Construct, id: string, props: DrStackProps) {
    super(scope, id, props);
    this.plan = props.plan;
    this.notifications = new Notifications(this, 'Notifications', { notifications: props.plan.notifications });
    this.evidence = new EvidenceStore(this, 'Evidence', { evidence: props.plan.evidence });
    this.reporting = new Reporting(this, 'Reporting', {
      plan: props.plan,
      evidenceBucket: this.evidence.bucket,
      topic: this.notifications.topic,
    });
    this.freshness = new FreshnessMonitor(this, 'Freshness', { plan: props.plan, topic: this.notifications.topic });
    this.janitor = new Janitor(this, 'Janitor', { plan: props.plan, reporting: this.reporting });
    this.freshness.watch('janitor', this.janitor.workflow.stateMachine, props.plan.schedules.janitor);
    for (const path of exampleValuePaths(props.plan)) {
      Annotations.of(this).addWarningV2(
        `entmoot-dr:example-value:${path.replace(/\[(\d+)\]/g, '.$1')}`,
        `${path} is still an example value: set it in the plan file (-c drPlan=...) before deploying`,
      );
    }
  }
}
