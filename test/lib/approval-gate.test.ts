import { Match } from 'aws-cdk-lib/assertions';
import { synthesize } from '../support/synth';

const MANAGER = 'arn:aws:iam::123456789012:role/dr-approver-manager';
const DIRECTOR = 'arn:aws:iam::123456789012:role/dr-approver-director';

describe('the approval endpoint', () => {
  const { primary, recovery } = synthesize();

  it('is a function URL with AWS_IAM auth, in the recovery stack only', () => {
    recovery.resourceCountIs('AWS::Lambda::Url', 1);
    recovery.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    primary.resourceCountIs('AWS::Lambda::Url', 0);
  });

  it('admits exactly the plan’s approvers, to InvokeFunctionUrl and to InvokeFunction via the URL', () => {
    const permissions = Object.values(recovery.findResources('AWS::Lambda::Permission'))
      .map((r) => r.Properties)
      .filter((p) => p.Action === 'lambda:InvokeFunctionUrl' || p.InvokedViaFunctionUrl !== undefined)
      .map((p) => ({
        Action: p.Action,
        Principal: p.Principal,
        FunctionUrlAuthType: p.FunctionUrlAuthType,
        InvokedViaFunctionUrl: p.InvokedViaFunctionUrl,
      }));

    expect(permissions).toEqual([
      {
        Action: 'lambda:InvokeFunctionUrl',
        Principal: MANAGER,
        FunctionUrlAuthType: 'AWS_IAM',
        InvokedViaFunctionUrl: undefined,
      },
      {
        Action: 'lambda:InvokeFunction',
        Principal: MANAGER,
        FunctionUrlAuthType: undefined,
        InvokedViaFunctionUrl: true,
      },
      {
        Action: 'lambda:InvokeFunctionUrl',
        Principal: DIRECTOR,
        FunctionUrlAuthType: 'AWS_IAM',
        InvokedViaFunctionUrl: undefined,
      },
      {
        Action: 'lambda:InvokeFunction',
        Principal: DIRECTOR,
        FunctionUrlAuthType: undefined,
        InvokedViaFunctionUrl: true,
      },
    ]);
  });

  it('publishes its URL as the stack output ApprovalEndpointUrl', () => {
    recovery.hasOutput('ApprovalEndpointUrl', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApprovalsDecisionFunctionFunctionUrl'), 'FunctionUrl'] },
    });
  });

  it('keeps requests in an on-demand table with point-in-time recovery and TTL', () => {
    recovery.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'execution', KeyType: 'HASH' },
        { AttributeName: 'item', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  it('lets the decision function call back to Step Functions and touch only its table', () => {
    recovery.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          // The recommended feature flags (cdk.json) merge statements on the same resource: the X-Ray actions,
          // which also take no resource-level permission, share this one.
          {
            Effect: 'Allow',
            Action: [
              'states:SendTaskFailure',
              'states:SendTaskSuccess',
              'xray:PutTelemetryRecords',
              'xray:PutTraceSegments',
            ],
            Resource: '*',
          },
          {
            Effect: 'Allow',
            Action: [
              'dynamodb:ConditionCheckItem',
              'dynamodb:GetItem',
              'dynamodb:PutItem',
              'dynamodb:Query',
              'dynamodb:UpdateItem',
            ],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApprovalsTable'), 'Arn'] },
          },
        ]),
      },
    });
  });
});
