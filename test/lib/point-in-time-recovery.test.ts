import type { Template } from 'aws-cdk-lib/assertions';
import { NEVER_ON_OTHERS } from '../../lib/point-in-time-recovery';
import { configuredPlan, examplePlanInput } from '../support/plans';
import { synthesize } from '../support/synth';
import { fleetPlan } from '../support/fleet';

type Statement = Record<string, unknown>;
const arn = (rest: string) => `arn:aws:rds:us-east-1:123456789012:${rest}`;
const OWNER = 'entmoot-dr:owner';

/** The statements of the policies attached to the role whose logical id starts with `rolePrefix`. */
function roleStatements(template: Template, rolePrefix: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(rolePrefix)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]) as string[];
const withAction = (statements: Statement[], action: string) => statements.filter((s) => actionsOf(s).includes(action));

const DENY: Statement = {
  Action: [...NEVER_ON_OTHERS].sort(),
  Condition: { StringNotEquals: { [`rds:db-tag/${OWNER}`]: 'EntmootDrPrimary' } },
  Effect: 'Deny',
  Resource: arn('db:*'),
};
const REQUEST_OWNED = { StringEquals: { [`aws:RequestTag/${OWNER}`]: 'EntmootDrPrimary' } };

describe('the point-in-time recovery’s permissions', () => {
  const { primary } = synthesize(configuredPlan());
  const fn = roleStatements(primary, 'PointInTimeRecoveryRecoveryFunctionRole');
  const machine = roleStatements(primary, 'PointInTimeRecoveryWorkflowStateMachineRole');

  it('denies both roles every change to an instance not tagged as this stack’s, untagged ones included', () => {
    expect(fn.filter((s) => s.Effect === 'Deny')).toEqual([DENY]);
    expect(machine.filter((s) => s.Effect === 'Deny')).toEqual([DENY]);
  });

  it('allows the restore only into the copies’ names and only with our owner tag', () => {
    expect(withAction(fn, 'rds:RestoreDBInstanceToPointInTime')).toEqual([
      {
        Action: 'rds:RestoreDBInstanceToPointInTime',
        Condition: REQUEST_OWNED,
        Effect: 'Allow',
        Resource: [arn('db:edr-pitr-*'), arn('db:entmoot-prod'), arn('og:*'), arn('pg:*'), arn('subgrp:*')],
      },
    ]);
    expect(withAction(fn, 'rds:AddTagsToResource')).toEqual([
      { Action: 'rds:AddTagsToResource', Condition: REQUEST_OWNED, Effect: 'Allow', Resource: arn('db:edr-pitr-*') },
    ]);
  });

  it('takes the emergency snapshot only under its prefix and tagged as ours, and retags only our copies', () => {
    expect(withAction(machine, 'rds:createDBSnapshot')).toEqual([
      {
        Action: 'rds:createDBSnapshot',
        Condition: REQUEST_OWNED,
        Effect: 'Allow',
        Resource: [arn('db:entmoot-prod'), arn('snapshot:edr-emergency-*')],
      },
    ]);
    expect(withAction(machine, 'rds:AddTagsToResource')).toEqual([
      {
        Action: 'rds:AddTagsToResource',
        Condition: REQUEST_OWNED,
        Effect: 'Allow',
        Resource: arn('snapshot:edr-emergency-*'),
      },
    ]);
    expect(withAction(machine, 'rds:addTagsToResource')).toEqual([
      {
        Action: 'rds:addTagsToResource',
        Condition: { StringEquals: { [`rds:db-tag/${OWNER}`]: 'EntmootDrPrimary' } },
        Effect: 'Allow',
        Resource: arn('db:edr-pitr-*'),
      },
    ]);
  });

  it('deletes only what carries our owner tag and the ephemeral lifecycle', () => {
    expect(withAction(machine, 'rds:deleteDBInstance')).toEqual([
      {
        Action: 'rds:deleteDBInstance',
        Condition: {
          StringEquals: { [`rds:db-tag/${OWNER}`]: 'EntmootDrPrimary', 'rds:db-tag/entmoot-dr:lifecycle': 'ephemeral' },
        },
        Effect: 'Allow',
        Resource: arn('db:*'),
      },
    ]);
  });

  it('grants the restore’s KMS use on the plan’s keys only, for AWS resources', () => {
    const keys = configuredPlan().databases.flatMap((d) => (d.kmsKeyArn ? [d.kmsKeyArn] : []));
    const grants = withAction(fn, 'kms:CreateGrant');
    if (keys.length === 0) {
      expect(grants).toEqual([]);
      return;
    }
    expect(grants).toEqual([
      {
        Action: 'kms:CreateGrant',
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        Effect: 'Allow',
        Resource: keys.length === 1 ? keys[0] : keys,
      },
    ]);
  });

  it('never allows a whole service, nor any production change the Deny covers', () => {
    for (const s of [...fn, ...machine].filter((x) => x.Effect === 'Allow')) {
      expect(actionsOf(s).filter((a) => a.endsWith(':*') || a === '*')).toEqual([]);
      expect(actionsOf(s).filter((a) => NEVER_ON_OTHERS.includes(a) && a !== 'rds:DeleteDBInstance')).toEqual([]);
    }
  });

  it('runs as the workflow the issue names, with the plan’s timeout', () => {
    primary.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'edr-point-in-time-recovery',
    });
    const machines = primary.findResources('AWS::StepFunctions::StateMachine');
    const [def] = Object.entries(machines).filter(([id]) => id.startsWith('PointInTimeRecoveryWorkflow'));
    const body = JSON.stringify(def?.[1].Properties.DefinitionString);
    expect(body).toContain(`\\"TimeoutSeconds\\":${240 * 60}`);
  });
});

describe('the point-in-time recovery at fleet size', () => {
  it('keeps the Deny one statement, whatever the fleet', () => {
    const { primary } = synthesize(fleetPlan(500));
    const machine = roleStatements(primary, 'PointInTimeRecoveryWorkflowStateMachineRole');

    expect(machine.filter((s) => s.Effect === 'Deny')).toEqual([DENY]);
  });
});

describe('the point-in-time recovery over databases in two networks', () => {
  it('has one validator per network and picks the copy’s by the planned index', () => {
    const input = examplePlanInput();
    const [first] = input.databases as Record<string, any>[];
    const second = {
      ...first,
      id: 'billing-prod',
      replica: undefined,
      drReplica: undefined,
      backupBucket: undefined,
      network: { ...first!.network, primary: { ...first!.network.primary, vpcId: 'vpc-0fedcba9876543210' } },
    };
    const { primary } = synthesize(configuredPlan({ databases: [first!, second] as never }));

    const functions = Object.keys(primary.findResources('AWS::Lambda::Function')).filter((id) =>
      /^PointInTimeRecoveryValidator2?Function[0-9A-F]{8}$/.test(id),
    );
    expect(functions).toHaveLength(2);
    const [machine] = Object.entries(primary.findResources('AWS::StepFunctions::StateMachine')).filter(([id]) =>
      id.startsWith('PointInTimeRecoveryWorkflow'),
    );
    const definition = JSON.stringify(machine?.[1].Properties.DefinitionString);
    expect(definition).toContain('\\"Which Validator?\\":{\\"Type\\":\\"Choice\\"');
    expect(definition).toContain(
      '\\"Variable\\":\\"$.pitr.plan.validatorIndex\\",\\"NumericEquals\\":1,\\"Next\\":\\"Validate Copy in Network 2\\"',
    );
  });
});
