import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { WorkflowDescriptor } from '../functions/report/evidence';
import { janitorDefinition } from '../statemachines/janitor';
import { rdsArn, statesArn } from './arns';
import { DrFunction } from './dr-function';
import { DrWorkflow } from './dr-workflow';
import { acknowledgeWildcards } from './nag';
import type { DrPlan } from './plan';
import type { Reporting } from './reporting';

/** The janitor as its report describes it: a failure is Medium, and only failures notify. */
export const JANITOR_DESCRIPTOR: WorkflowDescriptor = {
  workflow: 'janitor',
  title: 'Janitor',
  priority: 'Medium',
  policy: 'onFailure',
};

export interface JanitorProps {
  readonly plan: DrPlan;
  readonly reporting: Reporting;
  /** When the janitor runs.
   * @default - the plan's janitor schedule (daily) */
  readonly schedule?: string;
}

/**
 * The janitor, daily in each stack: removes this stack's ephemeral leftovers whose run is over and that are
 * older than the plan's age, and emergency snapshots beyond the newest N — never anything else.
 */
export class Janitor extends Construct {
  public readonly workflow: DrWorkflow;
  public readonly findLeftoversFunction: DrFunction;

  constructor(scope: Construct, id: string, props: JanitorProps) {
    super(scope, id);
    const { plan } = props;
    this.findLeftoversFunction = new DrFunction(this, 'FindLeftovers', {
      plan,
      entry: 'functions/janitor/handler.ts',
      description: 'Janitor: lists this stack’s RDS instances and snapshots and decides what to remove',
    });
    const instances = rdsArn(this, 'db', '*');
    const snapshots = rdsArn(this, 'snapshot', '*');
    const machines = statesArn(this, 'stateMachine', plan.system.namePrefix);
    this.findLeftoversFunction.allow({ actions: ['rds:DescribeDBInstances'], resources: [instances] });
    this.findLeftoversFunction.allow({ actions: ['rds:DescribeDBSnapshots'], resources: [instances, snapshots] });
    this.findLeftoversFunction.allow({ actions: ['states:ListStateMachines'], resources: ['*'] });
    this.findLeftoversFunction.allow({ actions: ['states:ListExecutions'], resources: [machines] });
    acknowledgeWildcards(
      this.findLeftoversFunction.role,
      { resources: [instances, snapshots, machines] },
      'Read-only listing: the janitor must see the region’s instances and snapshots to find those carrying our owner tag (filtered in code); ListExecutions only on our state machines (edr-*).',
    );

    this.workflow = new DrWorkflow(this, 'Workflow', {
      plan,
      reporting: props.reporting,
      descriptor: JANITOR_DESCRIPTOR,
      timeout: Duration.minutes(plan.timeouts.workflowMinutes.janitor),
      body: (scope) => janitorDefinition(scope, plan, { findLeftovers: this.findLeftoversFunction }),
      schedule: props.schedule ?? plan.schedules.janitor,
    });
    acknowledgeWildcards(
      this.workflow.stateMachine.role,
      { resources: [instances, snapshots, `${this.findLeftoversFunction.functionArn}:*`] },
      'The janitor deletes instances and snapshots named only at run time (db:*, snapshot:*), conditioned on our owner tag and an ephemeral or rotating lifecycle tag; :* is CDK’s grant to invoke the function’s versions.',
    );
  }
}
