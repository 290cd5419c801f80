import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configuredPlan } from '../support/plans';
import { CDK_JSON_CONTEXT, synthesize } from '../support/synth';

const recommended = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'node_modules', 'aws-cdk-lib', 'recommended-feature-flags.json'), 'utf8'),
) as Record<string, unknown>;

describe('cdk.json feature flags', () => {
  const plan = configuredPlan();
  const without = synthesize(plan, { context: {} }).recovery.toJSON().Resources as Record<string, any>;
  const withFlags = synthesize(plan).recovery.toJSON().Resources as Record<string, any>;
  const byType = (resources: Record<string, any>, type: string) =>
    Object.values(resources).filter((r) => r.Type === type);

  it('are exactly the recommended flags of the pinned aws-cdk-lib, as cdk init writes them', () => {
    expect(CDK_JSON_CONTEXT).toEqual(recommended);
  });

  it('write ARNs of known regions with a literal partition (arn:aws:…) instead of AWS::Partition', () => {
    const [channel] = byType(withFlags, 'AWS::Chatbot::SlackChannelConfiguration');
    const [before] = byType(without, 'AWS::Chatbot::SlackChannelConfiguration');

    expect([before.Properties.SnsTopicArns[1], channel.Properties.SnsTopicArns[1]]).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:us-east-1:123456789012:edr-notifications']] },
      'arn:aws:sns:us-east-1:123456789012:edr-notifications',
    ]);
  });

  it('give the access-log bucket a bucket policy for log delivery instead of the LogDeliveryWrite ACL', () => {
    const acl = (resources: Record<string, any>) =>
      byType(resources, 'AWS::S3::Bucket').map((b) => b.Properties.AccessControl ?? 'none');

    expect([acl(without).sort(), acl(withFlags).sort()]).toEqual([
      ['LogDeliveryWrite', 'none'],
      ['none', 'none'],
    ]);
  });

  it('merge IAM statements (minimizePolicies): fewer statements, the same actions', () => {
    const statements = (resources: Record<string, any>) =>
      byType(resources, 'AWS::IAM::Policy').flatMap((p) => p.Properties.PolicyDocument.Statement as any[]);
    const actions = (resources: Record<string, any>) =>
      [...new Set(statements(resources).flatMap((s) => [s.Action].flat()))].sort();

    expect(statements(withFlags).length).toBeLessThan(statements(without).length);
    expect(actions(withFlags)).toEqual(actions(without));
  });
});
