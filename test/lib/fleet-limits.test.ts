import type { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import {
  definitionBytes,
  environmentBytes,
  MAX_DEFINITION_BYTES,
  MAX_LAMBDA_ENVIRONMENT_BYTES,
  MAX_MANAGED_POLICIES_PER_ROLE,
  MAX_MANAGED_POLICY_CHARS,
  MAX_RESOURCES,
  MAX_ROLE_INLINE_CHARS,
  roleFootprints,
  TEMPLATE_WARN_BYTES,
  templateBytes,
} from '../support/template-limits';
import { fleetPlan } from '../support/fleet';
import { nagFindings } from '../support/nag';
import { synthesize } from '../support/synth';

// One synth per fleet size for the whole file (each bundles every function of both stacks); the largest with cdk-nag.
const SIZES = [1, 120, 500];
const synthesized = new Map(SIZES.map((size) => [size, synthesize(fleetPlan(size), { nag: size === 500 })]));

describe.each(SIZES)('a plan of %i databases and as many backups buckets', (size) => {
  const plan = fleetPlan(size);
  const { stacks, primary, recovery } = synthesized.get(size)!;
  const templates = [
    { stack: stacks.primary as Stack, template: primary.toJSON() },
    { stack: stacks.recovery as Stack, template: recovery.toJSON() },
  ];
  const pseudo = (stack: Stack) => ({ region: stack.region, account: plan.account });

  it('keeps every stack under 500 resources and its template under 80 % of 1 MB', () => {
    for (const { stack, template } of templates) {
      expect({
        stack: stack.stackName,
        resources: Object.keys(template.Resources).length <= MAX_RESOURCES,
        templateUnderWarning: templateBytes(template) <= TEMPLATE_WARN_BYTES,
      }).toEqual({ stack: stack.stackName, resources: true, templateUnderWarning: true });
    }
  });

  it('keeps every role within IAM’s inline total, managed policy size and managed policies per role', () => {
    for (const { stack, template } of templates) {
      for (const role of roleFootprints(template, pseudo(stack))) {
        expect({
          role: role.role,
          inline: role.inlineChars <= MAX_ROLE_INLINE_CHARS,
          managedSize: role.largestManagedChars <= MAX_MANAGED_POLICY_CHARS,
          managedCount: role.managedPolicies <= MAX_MANAGED_POLICIES_PER_ROLE,
        }).toEqual({ role: role.role, inline: true, managedSize: true, managedCount: true });
      }
    }
  });

  it('keeps every function’s environment within Lambda’s 4 KB (the freshness monitor’s lists grow with workflows)', () => {
    for (const { stack, template } of templates) {
      const sizes = environmentBytes(template, pseudo(stack));
      expect(sizes.length).toBeGreaterThan(0);
      for (const size of sizes) {
        expect({ ...size, fits: size.bytes <= MAX_LAMBDA_ENVIRONMENT_BYTES }).toEqual({ ...size, fits: true });
      }
    }
  });

  it('keeps every state machine definition under 1 MB', () => {
    for (const { stack, template } of templates) {
      for (const definition of definitionBytes(template, pseudo(stack))) {
        expect({ ...definition, fits: definition.bytes <= MAX_DEFINITION_BYTES }).toEqual({
          ...definition,
          fits: true,
        });
      }
    }
  });
});

describe('a fleet of 500 databases', () => {
  it('has no unacknowledged cdk-nag AwsSolutions finding', () => {
    expect(nagFindings(synthesized.get(500)!.app)).toEqual([]);
  });
});

describe('the weekly verification’s reads for a fleet of 500', () => {
  const { primary } = synthesized.get(500)!;
  const statements = Object.values(
    primary.findResources('AWS::IAM::Policy', {
      Properties: { PolicyName: Match.stringLikeRegexp('BackupVerificationCheckTarget') },
    }),
  ).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
  const statementFor = (action: string) =>
    statements.find((s) => (Array.isArray(s.Action) ? s.Action.includes(action) : s.Action === action));
  // The recommended feature flags (cdk.json) write the partition as a literal for a known region.
  const arn = (text: string) => `arn:aws${text}`;
  const groups = ['00', '01', '02', '03', '04'];

  it('name the instances by patterns of the plan’s ids in both regions', () => {
    expect(statementFor('rds:DescribeDBSnapshots')).toEqual({
      Action: 'rds:DescribeDBSnapshots',
      Effect: 'Allow',
      // IAM reads a statement's resources as a set; CDK's policy minimization (cdk.json) writes them sorted.
      Resource: [
        ...['us-east-1', 'us-west-2'].flatMap((r) =>
          groups.map((g) => arn(`:rds:${r}:123456789012:db:fleet-tenant-${g}*-prod`)),
        ),
        arn(':rds:us-east-1:123456789012:snapshot:*'),
        arn(':rds:us-west-2:123456789012:snapshot:*'),
      ].sort(),
    });
  });

  it('read the backups buckets by patterns held to this account, leaving the files buckets out', () => {
    expect(statementFor('s3:GetObject')).toEqual({
      Action: ['s3:GetObject', 's3:GetObjectAttributes'],
      Condition: { StringEquals: { 's3:ResourceAccount': '123456789012' } },
      Effect: 'Allow',
      Resource: groups.map((g) => arn(`:s3:::fleet-tenant-${g}*-prod-backups/*`)),
    });
    expect(statementFor('s3:ListBucket')).toEqual({
      Action: 's3:ListBucket',
      Condition: { StringEquals: { 's3:ResourceAccount': '123456789012' } },
      Effect: 'Allow',
      Resource: groups.map((g) => arn(`:s3:::fleet-tenant-${g}*-prod-backups`)),
    });
  });

  it('decrypt only through S3 when the keys do not fit a list', () => {
    expect(statementFor('kms:Decrypt')).toEqual({
      Action: 'kms:Decrypt',
      Condition: { StringEquals: { 'kms:ViaService': ['s3.us-east-1.amazonaws.com'] } },
      Effect: 'Allow',
      Resource: arn(':kms:us-east-1:123456789012:key/*'),
    });
  });
});
