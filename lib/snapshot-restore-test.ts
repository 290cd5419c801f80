import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { WorkflowDescriptor } from '../functions/report/evidence';
import { tagKeys } from '../functions/shared/naming';
import { snapshotRestoreTestBody } from '../statemachines/snapshot-restore-test';
import {
  snapshotRestoreTestDbBody,
  snapshotRestoreTestDbCleanup,
  type SnapshotRestoreTestDbProps,
} from '../statemachines/snapshot-restore-test-db';
import { rdsArn } from './arns';
import { namesOrPatterns, rdsKeyGrants } from './iam-scope';
import { DrFunction } from './dr-function';
import { DrWorkflow } from './dr-workflow';
import { IsolatedNetwork } from './isolated-network';
import { acknowledgeWildcards } from './nag';
import type { DrDashboard } from './dashboard';
import type { DrPlan } from './plan';
import type { Reporting } from './reporting';
import { DatabaseValidator, dbUserArn } from './validator';

/** One database's restore test: evidence always, a notification only on failure (a parent run notifies once). */
export const SNAPSHOT_RESTORE_TEST_DB_DESCRIPTOR: WorkflowDescriptor = {
  workflow: 'snapshot-restore-test-db',
  title: 'Snapshot restore test of one database',
  scenario: 'restoreFromBackup',
  policy: 'onFailure',
  measurements: [
    { name: 'restore', from: 'restoreRequested', to: 'available' },
    { name: 'validation', from: 'available', to: 'validated' },
    { name: 'total', from: 'restoreRequested', to: 'validated', target: 'restoreFromBackup' },
  ],
};

/** The monthly run over every database: one notification for all of them. */
export const SNAPSHOT_RESTORE_TEST_DESCRIPTOR: WorkflowDescriptor = {
  workflow: 'snapshot-restore-test',
  title: 'Monthly snapshot restore test',
  scenario: 'restoreFromBackup',
  policy: 'always',
};

export interface SnapshotRestoreTestProps {
  /** The validated DR plan. */
  readonly plan: DrPlan;
  /** The stack's reporting (report function and status-change reporter). */
  readonly reporting: Reporting;
  /** Where the measured restore times are plotted against the RTO. */
  readonly dashboard: DrDashboard;
}

/**
 * The monthly snapshot restore test: each database's newest snapshot restored into an isolated network, validated
 * as `dr_validator`, measured against the RTO and always deleted (`edr-snapshot-restore-test-db`).
 */
export class SnapshotRestoreTest extends Construct {
  public readonly network: IsolatedNetwork;
  public readonly validator: DatabaseValidator;
  public readonly restoreTestFunction: DrFunction;
  /** One database's restore test (startable alone). */
  public readonly databaseWorkflow: DrWorkflow;
  /** The monthly run: one child execution of `databaseWorkflow` per database. */
  public readonly workflow: DrWorkflow;

  constructor(scope: Construct, id: string, props: SnapshotRestoreTestProps) {
    super(scope, id);
    const { plan } = props;
    const stack = Stack.of(this);
    const keys = tagKeys(plan);
    const prefix = plan.system.namePrefix;
    this.network = new IsolatedNetwork(this, 'Network', {
      availabilityZones: plan.restoreTest.availabilityZones ?? [`${plan.regions.primary}a`, `${plan.regions.primary}b`],
      cidr: plan.restoreTest.cidr,
      databasePorts: plan.databases.map((d) => d.port),
    });
    this.validator = new DatabaseValidator(this, 'Validator', {
      plan,
      vpc: this.network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.network.validatorSecurityGroup],
    });
    const copies = rdsArn(this, 'db', `${prefix}-restore-*`);
    const validatorUsers = [...new Set(plan.databases.map((d) => d.validatorUser))].map((user) =>
      dbUserArn(this, '*', user),
    );
    this.validator.allowConnect(
      validatorUsers,
      plan.restoreTest.connectTagCondition
        ? { StringEquals: { [`aws:ResourceTag/${keys.owner}`]: stack.stackName } }
        : undefined,
      `A restored copy's DbiResourceId exists only after the restore, so the user ARN names any instance; the role is read-only (dr_validator), the function reaches only the isolated network's copies${plan.restoreTest.connectTagCondition ? ', and the grant is conditioned on our owner tag' : ' (restoreTest.connectTagCondition is off: no tag condition)'}.`,
    );

    this.restoreTestFunction = new DrFunction(this, 'PlanRestore', {
      plan,
      entry: 'functions/snapshot-restore-test/handler.ts',
      description: 'Snapshot restore test: checks the input, chooses the snapshot, plans the restore',
    });
    // The plan's instances while their ARNs fit a list; for a fleet, name patterns of the plan's own ids
    // (lib/iam-scope.ts): both actions only describe, and the function refuses in code any id not in the plan.
    const instances = namesOrPatterns(
      plan.databases.map((d) => d.id),
      (id) => `arn:aws:rds:${plan.regions.primary}:${plan.account}:db:${id}`.length,
    );
    const sources = instances.names.map((id) => rdsArn(this, 'db', id));
    const snapshots = rdsArn(this, 'snapshot', '*');
    this.restoreTestFunction.allow({ actions: ['rds:DescribeDBInstances'], resources: sources });
    this.restoreTestFunction.allow({ actions: ['rds:DescribeDBSnapshots'], resources: [...sources, snapshots] });
    acknowledgeWildcards(
      this.restoreTestFunction.role,
      { resources: [snapshots, ...(instances.patterned ? sources : [])] },
      'Read-only: the instances’ snapshots are named by RDS (rds:<db>-<time>) and found by listing; for a fleet, instances are name patterns of the plan’s own ids (lib/iam-scope.ts).',
    );

    const childProps: SnapshotRestoreTestDbProps = {
      plan,
      restoreTestFunction: this.restoreTestFunction,
      validatorFunction: this.validator.function,
      subnetGroupName: this.network.subnetGroup.subnetGroupName,
      securityGroupId: this.network.databaseSecurityGroup.securityGroupId,
      copyArnPattern: copies,
      restoreResources: [
        copies,
        snapshots,
        rdsArn(this, 'subgrp', this.network.subnetGroup.subnetGroupName),
        rdsArn(this, 'pg', '*'),
        rdsArn(this, 'og', '*'),
      ],
    };
    this.databaseWorkflow = new DrWorkflow(this, 'DatabaseWorkflow', {
      plan,
      reporting: props.reporting,
      descriptor: SNAPSHOT_RESTORE_TEST_DB_DESCRIPTOR,
      timeout: Duration.minutes(plan.timeouts.workflowMinutes.snapshotRestoreTestDb),
      body: (s) => snapshotRestoreTestDbBody(s, childProps),
      cleanup: (s) => snapshotRestoreTestDbCleanup(s, childProps),
    });
    const machine = this.databaseWorkflow.stateMachine;
    // The restore's tags are authorized separately (rds:AddTagsToResource), on the copies only.
    machine.addToRolePolicy(new iam.PolicyStatement({ actions: ['rds:AddTagsToResource'], resources: [copies] }));
    // Restoring a CMK-encrypted snapshot: RDS creates a grant on the key for the new instance (lib/iam-scope.ts).
    const { statements: keyGrants, wildcards: keyWildcards } = rdsKeyGrants(plan, stack.partition, stack.account);
    for (const statement of keyGrants) machine.addToRolePolicy(new iam.PolicyStatement(statement));
    acknowledgeWildcards(
      machine.role,
      {
        resources: [
          copies,
          snapshots,
          rdsArn(this, 'db', '*'),
          rdsArn(this, 'pg', '*'),
          rdsArn(this, 'og', '*'),
          `${this.restoreTestFunction.functionArn}:*`,
          `${this.validator.function.functionArn}:*`,
          ...keyWildcards,
        ],
      },
      'Copies are named at run time (db:<prefix>-restore-*); the snapshot restored is any of the plan instances’ snapshots; default parameter and option groups are named by RDS; deletes are conditioned on our owner tag and the ephemeral lifecycle; :* is CDK’s grant to invoke the functions’ versions; for a fleet, KMS keys are any key of this account and region used through RDS only (kms:ViaService).',
    );

    this.workflow = new DrWorkflow(this, 'Workflow', {
      plan,
      reporting: props.reporting,
      descriptor: SNAPSHOT_RESTORE_TEST_DESCRIPTOR,
      timeout: Duration.minutes(plan.timeouts.workflowMinutes.snapshotRestoreTest),
      schedule: plan.schedules.snapshotRestoreTest,
      body: (s) =>
        snapshotRestoreTestBody(s, {
          plan,
          restoreTestFunction: this.restoreTestFunction,
          databaseWorkflow: this.databaseWorkflow.stateMachine,
        }),
    });
    // The grants StepFunctionsStartExecution adds for .sync:2, named as it names them.
    const childExecutions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: `${stack.splitArn(this.databaseWorkflow.stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}*`,
    });
    acknowledgeWildcards(
      this.workflow.stateMachine.role,
      { resources: [`${this.restoreTestFunction.functionArn}:*`, childExecutions] },
      'What states:startExecution.sync:2 needs (Step Functions docs, "IAM policies for Step Functions"): DescribeExecution and StopExecution on the child state machine’s executions, whose names are chosen at run time (StartExecution itself is on the one child state machine, and the events actions on Step Functions’ one managed rule); :* is CDK’s grant to invoke the function’s versions.',
    );
    const rto = plan.recoveryTargets.restoreFromBackup.rtoMinutes;
    props.dashboard.addMeasurements(
      SNAPSHOT_RESTORE_TEST_DB_DESCRIPTOR.title,
      SNAPSHOT_RESTORE_TEST_DB_DESCRIPTOR.workflow,
      ['total', 'restore', 'validation'],
      { label: `RTO (${rto} min)`, minutes: rto },
    );
  }
}
