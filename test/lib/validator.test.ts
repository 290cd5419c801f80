import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enableNag } from '../../lib/app';
import { DrFunction, VPC_ENI_ACTIONS } from '../../lib/dr-function';
import { DatabaseValidator, dbUserArn } from '../../lib/validator';
import { nagFindings } from '../support/nag';
import { configuredPlan } from '../support/plans';

const plan = configuredPlan();

function validatorStack(options: { vpc: boolean; nag?: boolean }) {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'edr-validator-')) });
  const stack = new Stack(app, 'ValidatorTest', { env: { account: '123456789012', region: 'us-east-1' } });
  const network = plan.databases[0].network.primary;
  const vpc = options.vpc
    ? ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: network.vpcId,
        availabilityZones: network.availabilityZones,
        privateSubnetIds: network.subnetIds,
      })
    : undefined;
  const validator = new DatabaseValidator(stack, 'Validator', {
    plan,
    vpc,
    securityGroups: vpc ? [ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', network.securityGroupId)] : undefined,
  });
  validator.allowConnect([dbUserArn(stack, 'db-ABCDEFGHIJKLMNOPQRSTUVWXY1', 'dr_validator')]);
  if (options.nag) enableNag(app);
  return { app, stack, validator };
}

describe('DatabaseValidator', () => {
  const { stack, validator } = validatorStack({ vpc: true });
  const template = Template.fromStack(stack);
  const functionId = stack.getLogicalId(validator.function.node.defaultChild as never);
  const policyId = stack.getLogicalId(validator.function.networkInterfacePolicy!.node.defaultChild as never);

  it('runs in the VPC’s subnets with the given security group, trusting the RDS CA bundle', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: {
        SubnetIds: plan.databases[0].network.primary.subnetIds,
        SecurityGroupIds: [plan.databases[0].network.primary.securityGroupId],
      },
      Environment: { Variables: Match.objectLike({ NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' }) },
    });
  });

  it('grants exactly the EC2 network-interface actions of AWSLambdaVPCAccessExecutionRole, in a policy of their own', () => {
    const policy = template.toJSON().Resources[policyId];
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Action: [...VPC_ENI_ACTIONS], Effect: 'Allow', Resource: '*' },
    ]);
  });

  it('creates the function only after that policy (else Lambda refuses the VPC config)', () => {
    const fn = template.toJSON().Resources[functionId];
    expect(fn.DependsOn).toEqual(expect.arrayContaining([policyId]));
  });

  it('has no AWS managed policy on its role', () => {
    const roles = template.findResources('AWS::IAM::Role');
    expect(Object.values(roles).map((r) => (r as { Properties: object }).Properties)).toEqual([
      expect.not.objectContaining({ ManagedPolicyArns: expect.anything() }),
    ]);
  });

  it('may rds-db:connect only as the users allowConnect names', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }).Properties
          .PolicyDocument.Statement,
    );
    expect(statements.filter((s) => s.Action === 'rds-db:connect')).toEqual([
      {
        Action: 'rds-db:connect',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':rds-db:us-east-1:123456789012:dbuser:db-ABCDEFGHIJKLMNOPQRSTUVWXY1/dr_validator',
            ],
          ],
        },
      },
    ]);
  });

  it('refuses a wildcard database user without a reason', () => {
    expect(() => validator.allowConnect([dbUserArn(stack, '*', 'dr_validator')])).toThrow(
      /contain a wildcard: pass wildcardReason/,
    );
  });

  it('has no VPC config and no ENI policy without a VPC', () => {
    const plain = validatorStack({ vpc: false });
    const t = Template.fromStack(plain.stack);
    t.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.absent() });
    expect(plain.validator.function.networkInterfacePolicy).toBeUndefined();
    expect(JSON.stringify(t.toJSON())).not.toContain('ec2:CreateNetworkInterface');
  });

  it('refuses subnets or security groups without a VPC, naming the props', () => {
    const scope = new Stack(new App(), 'Conflict');
    expect(
      () =>
        new DrFunction(scope, 'Fn', {
          plan,
          entry: 'functions/validator/handler.ts',
          description: 'x',
          securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(scope, 'Sg', 'sg-12345678')],
        }),
    ).toThrow('DrFunction Fn: vpcSubnets and securityGroups need vpc: set vpc or remove them');
  });

  it('leaves no unacknowledged cdk-nag AwsSolutions finding, in a VPC', () => {
    const { app } = validatorStack({ vpc: true, nag: true });
    expect(nagFindings(app)).toEqual([]);
  });
});
