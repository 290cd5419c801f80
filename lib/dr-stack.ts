import { Annotations, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DrAlarmFactory } from './alarms';
import { DrDashboard } from './dashboard';
import type { DrWorkflow } from './dr-workflow';
import { EvidenceStore } from './evidence-store';
import { FreshnessMonitor } from './freshness-monitor';
import { Janitor } from './janitor';
import { Notifications } from './notifications';
import { Reporting } from './reporting';
import { exampleValuePaths, type DrPlan } from './plan';

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
  /** The evidence bucket every run writes to. */
  public readonly evidence: EvidenceStore;
  /** The report step's function and the status-change reporter. */
  public readonly reporting: Reporting;
  /** The daily janitor. */
  public readonly janitor: Janitor;
  /** Hours since each scheduled job last succeeded; scheduled jobs register with `watchScheduledJob`. */
  public readonly freshness: FreshnessMonitor;
  /** What this stack watches, on one dashboard. */
  public readonly dashboard: DrDashboard;
  /** Every alarm of the stack comes from here: named, wired to the topic, on the dashboard. */
  public readonly alarms: DrAlarmFactory;

  protected constructor(scope: Construct, id: string, props: DrStackProps) {
    super(scope, id, props);
    this.plan = props.plan;
    for (const path of exampleValuePaths(props.plan)) {
      Annotations.of(this).addWarningV2(
        `entmoot-dr:example-value:${path.replace(/\[(\d+)\]/g, '.$1')}`,
        `${path} is still an example value: set it in the plan file (-c drPlan=...) before deploying`,
      );
    }
    this.notifications = new Notifications(this, 'Notifications', {
      notifications: props.plan.notifications,
      namePrefix: props.plan.system.namePrefix,
    });
    this.evidence = new EvidenceStore(this, 'Evidence', { evidence: props.plan.evidence });
    this.reporting = new Reporting(this, 'Reporting', {
      plan: props.plan,
      evidenceBucket: this.evidence.bucket,
      topic: this.notifications.topic,
    });
    this.dashboard = new DrDashboard(this, 'Dashboard', { dashboardName: `${props.plan.system.namePrefix}-${id}` });
    this.alarms = new DrAlarmFactory(this, 'Alarms', {
      prefix: props.plan.system.namePrefix,
      topic: this.notifications.topic,
      dashboard: this.dashboard,
    });
    this.freshness = new FreshnessMonitor(this, 'Freshness', {
      plan: props.plan,
      alarms: this.alarms,
      reporting: this.reporting,
    });
    this.janitor = new Janitor(this, 'Janitor', { plan: props.plan, reporting: this.reporting });
    this.watchScheduledJob(this.janitor.workflow);
  }

  /**
   * Registers a scheduled workflow: the freshness monitor alarms when it is overdue, and the dashboard
   * shows its runs and hours since success.
   */
  protected watchScheduledJob(workflow: DrWorkflow): void {
    const watched = this.freshness.watch(workflow);
    this.dashboard.addWorkflow(workflow.descriptor.title, workflow.stateMachine);
    this.dashboard.addFreshness(watched);
  }
}
