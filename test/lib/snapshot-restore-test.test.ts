import { Match, type Template } from 'aws-cdk-lib/assertions';
import { parsePlan } from '../../lib/plan';
import { configuredPlan, examplePlanInput } from '../support/plans';
import { synthesize } from '../support/synth';

describe('the snapshot restore test’s isolated network', () => {
  const { primary } = synthesize();

  it('has isolated subnets only: no internet or NAT gateway, no peering, no route anywhere beyond the VPC', () => {
    primary.resourceCountIs('AWS::EC2::VPC', 1);
    primary.resourceCountIs('AWS::EC2::InternetGateway', 0);
    primary.resourceCountIs('AWS::EC2::NatGateway', 0);
    primary.resourceCountIs('AWS::EC2::VPCPeeringConnection', 0);
    primary.resourceCountIs('AWS::EC2::TransitGatewayAttachment', 0);
    primary.resourceCountIs('AWS::EC2::Route', 0);
    primary.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    primary.resourceCountIs('AWS::EC2::Subnet', 2);
  });

  it('logs all traffic with a flow log', () => {
    primary.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL' });
  });

  it('admits the database port only from the validator’s group, which may send only there', () => {
    const groups = primary.findResources('AWS::EC2::SecurityGroup');
    const ids = Object.keys(groups);
    const database = ids.find((id) => id.includes('DatabaseSecurityGroup')) as string;
    const validator = ids.find((id) => id.includes('ValidatorSecurityGroup')) as string;
    expect(groups[database].Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(primary.findResources('AWS::EC2::SecurityGroupIngress')).filter(
      (r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [database, 'GroupId'] }),
    );
    expect(ingress).toHaveLength(1);
    primary.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      GroupId: { 'Fn::GetAtt': [database, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [validator, 'GroupId'] },
    });
    // The dump restore test's tasks share the network; their group is checked in dump-restore-test.test.ts.
    expect(JSON.stringify([groups[database], groups[validator]])).not.toContain('0.0.0.0/0');
    primary.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      IpProtocol: 'tcp',
      FromPort: 5432,
      ToPort: 5432,
      GroupId: { 'Fn::GetAtt': [validator, 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [database, 'GroupId'] },
    });
  });
});

/** Every policy statement of the restore test's policies that allows `action`. */
function statementsFor(template: Template, action: string): Record<string, unknown>[] {
  return Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('SnapshotRestoreTest'))
    .map(([, p]) => p)
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[])
    .filter((s) => s.Action === action || (Array.isArray(s.Action) && s.Action.includes(action)));
}
// The recommended feature flags (cdk.json) write the partition as a literal for a known region.
const arn = (service: string, rest: string) => `arn:aws:${service}:us-east-1:123456789012:${rest}`;

describe('the snapshot restore test’s permissions', () => {
  const { primary } = synthesize();

  it('lets the validator connect as dr_validator to any instance only where our owner tag is set', () => {
    expect(statementsFor(primary, 'rds-db:connect')).toEqual([
      {
        Action: 'rds-db:connect',
        Effect: 'Allow',
        Resource: arn('rds-db', 'dbuser:*/dr_validator'),
        Condition: { StringEquals: { 'aws:ResourceTag/entmoot-dr:owner': 'EntmootDrPrimary' } },
      },
    ]);
  });

  it('deletes a copy only where it is tagged ours and ephemeral (never rotating)', () => {
    primary.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'rds:deleteDBInstance',
            Condition: {
              StringEquals: {
                'rds:db-tag/entmoot-dr:owner': 'EntmootDrPrimary',
                'rds:db-tag/entmoot-dr:lifecycle': 'ephemeral',
              },
            },
          }),
        ]),
      },
    });
  });

  it('tags only copies named <prefix>-restore-*', () => {
    expect(statementsFor(primary, 'rds:AddTagsToResource')).toEqual([
      // Policy minimization (cdk.json) merges the wait loop's describe of the copy into the same statement.
      {
        Action: ['rds:AddTagsToResource', 'rds:describeDBInstances'],
        Effect: 'Allow',
        Resource: arn('rds', 'db:edr-restore-*'),
      },
    ]);
  });

  it('lets RDS use a snapshot’s customer-managed key only through grants for AWS resources', () => {
    const input = examplePlanInput();
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const plan = configuredPlan({ databases: input.databases?.map((d) => ({ ...d, kmsKeyArn: key })) });

    const { primary: withKey } = synthesize(plan);

    withKey.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'kms:CreateGrant',
            Effect: 'Allow',
            Resource: key,
            Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
          },
          { Action: 'kms:DescribeKey', Effect: 'Allow', Resource: key },
        ]),
      },
    });
  });

  it('drops the connect condition when the plan turns connectTagCondition off', () => {
    const plan = configuredPlan({ restoreTest: { connectTagCondition: false } });

    const { primary: untagged } = synthesize(plan);

    const statements = Object.values(untagged.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string; Condition?: unknown }[],
    );
    expect(statements.filter((s) => s.Action === 'rds-db:connect').map((s) => s.Condition)).toEqual([undefined]);
  });
});

describe('the plan’s restore-test settings', () => {
  it('refuses a parent timeout shorter than its rounds of children', () => {
    expect(() => parsePlan({ restoreTest: { maxConcurrent: 1 }, databases: [{ id: 'a' }, { id: 'b' }] })).toThrow(
      /timeouts\.workflowMinutes\.snapshotRestoreTest: must be at least 360 \(2 rounds of 1 databases/,
    );
  });

  it('refuses availability zones outside the primary region', () => {
    expect(() => parsePlan({ restoreTest: { availabilityZones: ['us-west-2a', 'us-west-2b'] } })).toThrow(
      /restoreTest\.availabilityZones\[0\]: "us-west-2a" is not in the primary region us-east-1/,
    );
  });

  it('refuses a single availability zone', () => {
    expect(() => parsePlan({ restoreTest: { availabilityZones: ['us-east-1a'] } })).toThrow(
      /at least two availability zones/,
    );
  });
});

describe('the monthly parent run', () => {
  const { primary, stacks } = synthesize();
  const machines = primary.findResources('AWS::StepFunctions::StateMachine');
  const idOf = (name: string) =>
    Object.keys(machines).find((id) => machines[id].Properties.StateMachineName === name) as string;
  const parentId = idOf('edr-snapshot-restore-test');
  const childId = idOf('edr-snapshot-restore-test-db');
  const roleId = machines[parentId].Properties.RoleArn['Fn::GetAtt'][0] as string;
  const statements = Object.values(primary.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);

  it('runs monthly on the plan’s schedule with the schedule’s trigger, within the plan’s timeout', () => {
    primary.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 5 1 * ? *)',
      Targets: [Match.objectLike({ Arn: { Ref: parentId }, Input: '{"trigger":"schedule"}' })],
    });
    expect(JSON.stringify(machines[parentId].Properties.DefinitionString)).toContain('\\"TimeoutSeconds\\":14400');
  });

  it('may start only the child state machine, and follow and stop only its executions', () => {
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('states:'))).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: childId } },
      {
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:aws:states:us-east-1:123456789012:execution:',
              { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: childId }] }] },
              '*',
            ],
          ],
        },
      },
    ]);
    expect(statements.filter((s) => JSON.stringify(s.Action).includes('events:'))).toEqual([
      {
        Action: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
        Effect: 'Allow',
        Resource: 'arn:aws:events:us-east-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule',
      },
    ]);
  });

  it('is watched by the freshness monitor, and its children’s times are plotted against the RTO', () => {
    expect(stacks.primary.freshness.jobs.map((j) => j.job)).toContain('snapshot-restore-test');
    // The body is a Join of text and references: references become placeholders, then it is JSON.
    const parts = Object.values(primary.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody[
      'Fn::Join'
    ][1] as unknown[];
    const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'ref')).join(''));
    const widget = body.widgets.find((w: { properties: { title?: string } }) =>
      w.properties.title?.startsWith('Snapshot restore test of one database: minutes per run'),
    );
    const rto = configuredPlan().recoveryTargets.restoreFromBackup.rtoMinutes;
    expect(widget.properties.metrics.slice(0, 2)).toEqual([
      [{ label: 'total', expression: 'm0 / 60', period: 86400 }],
      [
        'EntmootDR',
        'MeasuredSeconds',
        'Measurement',
        'total',
        'Workflow',
        'snapshot-restore-test-db',
        { id: 'm0', visible: false, period: 86400, stat: 'Maximum' },
      ],
    ]);
    expect(widget.properties.annotations.horizontal).toEqual([
      { value: rto, label: `RTO (${rto} min)`, yAxis: 'left' },
    ]);
  });
});
