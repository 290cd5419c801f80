import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { configuredPlan, seedPlan } from '../support/plans';
import { synthesize } from '../support/synth';

describe('the two stacks', () => {
  const { app, stacks, primary, recovery } = synthesize();

  it('deploy to the plan’s primary and recovery regions', () => {
    expect(stacks.primary.region).toBe('us-east-1');
    expect(stacks.recovery.region).toBe('us-west-2');
  });

  it('share no CloudFormation reference', () => {
    for (const template of [primary, recovery]) {
      const text = JSON.stringify(template.toJSON());
      expect(text).not.toContain('Fn::ImportValue');
      expect(Object.keys(template.toJSON().Outputs ?? {}).filter((k) => k.startsWith('ExportsOutput'))).toEqual([]);
    }
  });

  it('need no AWS lookup to synthesize: no context is missing (the CLI would need credentials to fill it)', () => {
    const missing = app.synth().manifest.missing ?? [];
    expect(missing.map((m) => `${m.provider} ${m.key}`)).toEqual([]);
  });
});

describe('notifications', () => {
  const { primary, recovery } = synthesize();

  it.each([
    ['primary', primary],
    ['recovery', recovery],
  ])('the %s stack has one topic, encrypted with a rotating customer-managed key', (_, template) => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('lets CloudWatch alarms and EventBridge use the key', () => {
    primary.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowAlarmAndEventPublishers',
            Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  it('denies publishing without TLS', () => {
    primary.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('subscribes every e-mail address of the plan', () => {
    const plan = configuredPlan({ notifications: { emails: ['a@entmoot.io', 'b@entmoot.io'] } });
    const { primary: template } = synthesize(plan);
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'b@entmoot.io' });
  });

  it('adds a Slack channel that can run no AWS command when the plan names one', () => {
    recovery.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123ABCDE',
      SlackChannelId: 'C0123ABCDE',
      GuardrailPolicies: [
        Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([':iam::aws:policy/AWSDenyAll'])]) }),
      ],
    });
  });

  it('has no Slack channel when the plan names none', () => {
    const plan = configuredPlan({ notifications: { emails: ['a@entmoot.io'] } });
    synthesize(plan).primary.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
  });
});

describe('example values', () => {
  it('warn once per field still at its example value', () => {
    const { stacks } = synthesize(seedPlan());
    const warnings = Annotations.fromStack(stacks.recovery).findWarning(
      '*',
      Match.stringLikeRegexp('is still an example value'),
    );
    const text = warnings.map((w) => String(w.entry.data));
    expect(text).toEqual(
      expect.arrayContaining([
        expect.stringContaining('plan.databases[0].network.primary.vpcId is still an example value'),
      ]),
    );
    expect(text.filter((t) => t.startsWith('plan.health.url'))).toHaveLength(1);
  });

  it('do not warn for a configured plan', () => {
    const { stacks } = synthesize(configuredPlan());
    expect(Annotations.fromStack(stacks.primary).findWarning('*', Match.stringLikeRegexp('example value'))).toEqual([]);
  });
});
