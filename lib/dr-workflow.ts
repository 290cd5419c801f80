import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { WorkflowDescriptor } from '../functions/report/evidence';
import { ReportFragment, withReport } from '../statemachines/report';
import type { DrPlan } from './plan';
import { acknowledgeWildcards } from './nag';
import type { Reporting } from './reporting';

export interface DrWorkflowProps {
  readonly plan: DrPlan;
  /** The stack's reporting (report function and status-change reporter). */
  readonly reporting: Reporting;
  /** Workflow id, title, scenario and notification policy. */
  readonly descriptor: WorkflowDescriptor;
  /** The whole workflow's timeout (the plan's, per workflow). */
  readonly timeout: Duration;
  /** Builds the workflow's body; it ends in the report fragment, which this construct adds. */
  readonly body: (scope: Construct) => sfn.IChainable;
  /** What undoes the body's creations: runs after the body, and after its Catch, before the report. Every end
   * of it outputs `{ cleanupResult: CheckResult }` or `{}`; its own errors become a FAIL result.
   * @default - nothing to clean up */
  readonly cleanup?: (scope: Construct) => sfn.IChainable;
  /** When the workflow starts on its own (an EventBridge schedule expression).
   * @default - started only by an operator or another trigger */
  readonly schedule?: string;
}

/**
 * A Step Functions standard workflow with the house rules: named `<prefix>-<workflow>`, its body wrapped so
 * every way out passes the report fragment, a timeout, X-Ray tracing, logging of every event (without
 * execution data), its stopped/timed-out/failed runs registered with the status-change reporter, and an
 * optional schedule.
 */
export class DrWorkflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  /** The workflow's id, title, scenario and notification policy. */
  public readonly descriptor: WorkflowDescriptor;
  /** When the workflow starts on its own (an EventBridge schedule expression), if it does. */
  public readonly schedule?: string;
  /** The schedule rule, when the workflow has one. */
  public readonly scheduleRule?: events.Rule;

  constructor(scope: Construct, id: string, props: DrWorkflowProps) {
    super(scope, id);
    const { plan, descriptor } = props;
    this.descriptor = descriptor;
    this.schedule = props.schedule;
    const report = new ReportFragment(this, 'Report', {
      reportFunction: props.reporting.reportFunction,
      descriptor,
    });
    // Under /aws/vendedlogs/ Step Functions needs no entry in the account's CloudWatch Logs resource policy
    // (5,120 characters), which otherwise grows with every workflow until creating one fails.
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${plan.system.namePrefix}-${descriptor.workflow}`,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: `${plan.system.namePrefix}-${descriptor.workflow}`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(
        withReport(this, descriptor.title, props.body(this), report, props.cleanup?.(this)),
      ),
      timeout: props.timeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    props.reporting.register(this.stateMachine, descriptor);
    acknowledgeWildcards(
      this.stateMachine.role,
      { resources: ['*', `${props.reporting.reportFunction.functionArn}:*`] },
      'X-Ray tracing and CloudWatch Logs delivery actions support no resource-level permissions; :* is CDK’s grant to invoke the report function’s versions.',
    );

    if (props.schedule) {
      this.scheduleRule = new events.Rule(this, 'Schedule', {
        description: `Starts ${descriptor.title} (${props.schedule})`,
        schedule: events.Schedule.expression(props.schedule),
      });
      this.scheduleRule.addTarget(
        new targets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({ trigger: 'schedule' }),
          retryAttempts: 3,
        }),
      );
    }
  }
}
