import { synthesize } from '../support/synth';

describe('notifications', () => {
  const { primary, recovery } = synthesize();

  it.each([
    ['primary', primary, 'us-east-1'],
    ['recovery', recovery, 'us-west-2'],
  ])('lets only this account’s alarms and rules publish to the %s topic', (_, template, region) => {
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const statements = policy!.Properties.PolicyDocument.Statement as Record<string, any>[];
    const topic = { Ref: expect.stringMatching(/^NotificationsTopic/) };

    const services = statements.filter((s) => s.Principal?.Service);

    expect(services).toEqual([
      {
        Sid: 'AllowAlarmsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topic,
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${region}:123456789012:alarm:*` },
        },
      },
      {
        Sid: 'AllowRulesOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topic,
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': `arn:aws:events:${region}:123456789012:rule/*` },
        },
      },
    ]);
  });

  it('names the topic the same in both regions, so either stack can find the other’s by ARN', () => {
    for (const template of [primary, recovery]) {
      template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'edr-notifications' });
    }
  });

  it('creates the one AWS Chatbot channel (a global name) in the recovery stack, for both topics', () => {
    const channels = Object.values(recovery.findResources('AWS::Chatbot::SlackChannelConfiguration'));

    expect(primary.findResources('AWS::Chatbot::SlackChannelConfiguration')).toEqual({});
    expect(channels.map((c) => [c.Properties.ConfigurationName, c.Properties.SnsTopicArns])).toEqual([
      [
        'entmoot-dr',
        [{ Ref: expect.stringMatching(/^NotificationsTopic/) }, 'arn:aws:sns:us-east-1:123456789012:edr-notifications'],
      ],
    ]);
  });

  it('keeps the stacks free of cross-stack references', () => {
    for (const template of [primary, recovery]) {
      expect(JSON.stringify(template.toJSON())).not.toContain('Fn::ImportValue');
    }
  });
});
