import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { validatorNetworks } from '../functions/pitr/networks';
import type { WorkflowDescriptor } from '../functions/report/evidence';
import { tagKeys } from '../functions/shared/naming';
import {
  pointInTimeRecoveryBody,
  pointInTimeRecoveryCleanup,
  type PointInTimeRecoveryProps as DefinitionProps,
} from '../statemachines/point-in-time-recovery';
import { rdsArn } from './arns';
import { DrFunction } from './dr-function';
import { DrWorkflow } from './dr-workflow';
import { namesOrPatterns, rdsKeyGrants } from './iam-scope';
import { acknowledgeWildcards } from './nag';
import type { DrPlan } from './plan';
import type { Reporting } from './reporting';
import { DatabaseValidator, dbUserArn } from './validator';

/** The point-in-time recovery: evidence and a notification on every run, measured against the data-corruption RTO. */
export const POINT_IN_TIME_RECOVERY_DESCRIPTOR: WorkflowDescriptor = {
  workflow: 'point-in-time-recovery',
  title: 'Point-in-time recovery',
  scenario: 'dataCorruption',
  policy: 'always',
  postIncidentReview: true,
  measurements: [
    { name: 'restore', from: 'restoreRequested', to: 'available' },
    { name: 'validation', from: 'available', to: 'validated' },
    { name: 'total', from: 'restoreRequested', to: 'validated', target: 'dataCorruption' },
  ],
};

/** What the recovery must never do to an instance that is not its own (not tagged with this stack as owner). */
export const NEVER_ON_OTHERS = [
  'rds:ModifyDBInstance',
  'rds:StopDBInstance',
  'rds:RebootDBInstance',
  'rds:DeleteDBInstance',
  'rds:PromoteReadReplica',
  'rds:RemoveTagsFromResource',
];

export interface PointInTimeRecoveryProps {
  /** The validated DR plan. */
  readonly plan: DrPlan;
  /** The stack's reporting (report function and status-change reporter). */
  readonly reporting: Reporting;
}

/**
 * Point-in-time recovery (`edr-point-in-time-recovery`, the plan's Scenario 4): an emergency snapshot of the source
 * and a copy restored to a known-good time with every setting of the source, validated as `dr_validator` and kept
 * (`retained`) for a manual swap. The source is never changed: an explicit Deny keeps every role of the recovery
 * off any instance not tagged as this stack's, whatever else is allowed.
 */
export class PointInTimeRecovery extends Construct {
  /** The recovery's Lambda (plan, restore, summarize, cleanup decision). */
  public readonly recoveryFunction: DrFunction;
  /** One validator per distinct primary network of the plan's databases. */
  public readonly validators: DatabaseValidator[];
  public readonly workflow: DrWorkflow;

  constructor(scope: Construct, id: string, props: PointInTimeRecoveryProps) {
    super(scope, id);
    const { plan } = props;
    const stack = Stack.of(this);
    const keys = tagKeys(plan);
    const prefix = plan.system.namePrefix;
    const copies = rdsArn(this, 'db', `${prefix}-pitr-*`);
    const snapshots = rdsArn(this, 'snapshot', `${prefix}-emergency-*`);
    const instances = namesOrPatterns(
      plan.databases.map((d) => d.id),
      (dbId) => `arn:aws:rds:${plan.regions.primary}:${plan.account}:db:${dbId}`.length,
    );
    const sources = instances.names.map((dbId) => rdsArn(this, 'db', dbId));
    const requestOwned = { StringEquals: { [`aws:RequestTag/${keys.owner}`]: stack.stackName } };
    const deny = new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: NEVER_ON_OTHERS,
      resources: [rdsArn(this, 'db', '*')],
      // A missing tag is "not equal" too: an untagged instance is denied, and the statement is one size for any fleet.
      conditions: { StringNotEquals: { [`rds:db-tag/${keys.owner}`]: stack.stackName } },
    });

    this.recoveryFunction = new DrFunction(this, 'RecoveryFunction', {
      plan,
      entry: 'functions/pitr/handler.ts',
      description: 'Point-in-time recovery: checks the input and window, restores with every setting, summarizes',
      serviceName: 'point-in-time-recovery',
    });
    const fn = this.recoveryFunction;
    fn.allow({ actions: ['rds:DescribeDBInstances'], resources: [...sources, copies] });
    fn.allow({
      actions: ['rds:DescribeDBInstanceAutomatedBackups'],
      resources: [...sources, rdsArn(this, 'auto-backup', '*')],
    });
    fn.allow({ actions: ['rds:DescribeDBSnapshots'], resources: [snapshots] });
    // Creation only into our names, and only carrying our owner tag (tag-on-create needs AddTagsToResource too).
    // The restore call also names the source and the groups the copy joins (the source's: read at run time).
    fn.allow({
      actions: ['rds:RestoreDBInstanceToPointInTime'],
      resources: [...sources, copies, rdsArn(this, 'subgrp', '*'), rdsArn(this, 'pg', '*'), rdsArn(this, 'og', '*')],
      conditions: requestOwned,
    });
    fn.allow({ actions: ['rds:AddTagsToResource'], resources: [copies], conditions: requestOwned });
    const keyWildcards = this.allowKms(fn, plan);
    fn.addToRolePolicy(deny);

    this.validators = validatorNetworks(plan.databases).map((n, i) => {
      const suffix = i === 0 ? '' : String(i + 1);
      const vpc = ec2.Vpc.fromVpcAttributes(this, `Vpc${suffix}`, {
        vpcId: n.network.vpcId,
        availabilityZones: [...n.network.availabilityZones],
      });
      const subnets = n.network.subnetIds.map((subnetId, k) => {
        const subnet = ec2.Subnet.fromSubnetAttributes(this, `Subnet${suffix}-${k}`, {
          subnetId,
          availabilityZone: n.network.availabilityZones[k % n.network.availabilityZones.length],
        });
        // Only the validator's network interfaces go here: nothing reads the subnet's route table.
        Annotations.of(subnet).acknowledgeWarning(
          '@aws-cdk/aws-ec2:noSubnetRouteTableId',
          'The plan names the subnets the validator joins; no route is added or read',
        );
        return subnet;
      });
      const validator = new DatabaseValidator(this, `Validator${suffix}`, {
        plan,
        vpc,
        vpcSubnets: { subnets },
        securityGroups: [
          ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${suffix}`, n.network.securityGroupId, {
            mutable: false,
          }),
        ],
      });
      const users = [...new Set(plan.databases.map((d) => d.validatorUser))].map((user) => dbUserArn(this, '*', user));
      validator.allowConnect(
        users,
        plan.restoreTest.connectTagCondition
          ? { StringEquals: { [`aws:ResourceTag/${keys.owner}`]: stack.stackName } }
          : undefined,
        'A recovered copy’s DbiResourceId exists only after the restore, so the user ARN names any instance; the role is read-only (dr_validator) and the grant is conditioned on our owner tag (unless restoreTest.connectTagCondition is off).',
      );
      return validator;
    });

    const definition: DefinitionProps = {
      plan,
      recoveryFunction: fn,
      validatorFunctions: this.validators.map((v) => v.function),
      sourceArns: sources,
      copyArnPattern: copies,
      snapshotArnPattern: snapshots,
    };
    this.workflow = new DrWorkflow(this, 'Workflow', {
      plan,
      reporting: props.reporting,
      descriptor: POINT_IN_TIME_RECOVERY_DESCRIPTOR,
      timeout: Duration.minutes(plan.timeouts.workflowMinutes.pointInTimeRecovery),
      body: (s) => pointInTimeRecoveryBody(s, definition),
      cleanup: (s) => pointInTimeRecoveryCleanup(s, definition),
    });
    const machine = this.workflow.stateMachine;
    // The emergency snapshot's tags on creation.
    machine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['rds:AddTagsToResource'], resources: [snapshots], conditions: requestOwned }),
    );
    machine.addToRolePolicy(deny);

    acknowledgeWildcards(
      fn.role,
      {
        resources: [
          copies,
          snapshots,
          rdsArn(this, 'auto-backup', '*'),
          rdsArn(this, 'subgrp', '*'),
          rdsArn(this, 'pg', '*'),
          rdsArn(this, 'og', '*'),
          ...(instances.patterned ? sources : []),
          ...keyWildcards,
        ],
      },
      'Copies and emergency snapshots are named at run time under the system prefix (db:<prefix>-pitr-*, snapshot:<prefix>-emergency-*), created only with our owner tag (aws:RequestTag); the copy joins the source’s subnet, parameter and option groups, read at run time; automated backups are named by RDS; an explicit Deny keeps the role off every instance not tagged as ours.',
    );
    acknowledgeWildcards(
      machine.role,
      {
        resources: [
          copies,
          snapshots,
          rdsArn(this, 'db', '*'),
          ...(instances.patterned ? sources : []),
          `${fn.functionArn}:*`,
          ...this.validators.map((v) => `${v.function.functionArn}:*`),
        ],
      },
      'Copies and emergency snapshots are named at run time under the system prefix; the delete (db:*) is conditioned on our owner tag and the ephemeral lifecycle, the retag on our owner tag; an explicit Deny keeps the role off every instance not tagged as ours; :* is CDK’s grant to invoke the functions’ versions.',
    );
  }

  /** A restore of a CMK-encrypted source: the grants RDS needs (lib/iam-scope.ts); returns the wildcard key ARNs. */
  private allowKms(fn: DrFunction, plan: DrPlan): string[] {
    const stack = Stack.of(this);
    const { statements, wildcards } = rdsKeyGrants(plan, stack.partition, stack.account);
    for (const statement of statements) fn.allow(statement);
    return wildcards;
  }
}
