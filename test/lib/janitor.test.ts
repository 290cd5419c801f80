import { Match } from 'aws-cdk-lib/assertions';
import { synthesize } from '../support/synth';

describe('the janitor workflow', () => {
  const { primary, recovery } = synthesize();

  it.each([
    ['primary', primary],
    ['recovery', recovery],
  ])('runs in the %s stack on the plan’s daily schedule with a timeout', (_, template) => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'edr-janitor',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 4 * * ? *)', State: 'ENABLED' });
    const definition = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(definition).toContain('\\"TimeoutSeconds\\":7200');
  });

  it('may delete only instances and snapshots tagged with this stack as owner and a removable lifecycle', () => {
    for (const [action, tag] of [
      ['rds:deleteDBInstance', 'db-tag'],
      ['rds:deleteDBSnapshot', 'snapshot-tag'],
    ]) {
      primary.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: action,
              Condition: {
                StringEquals: {
                  [`rds:${tag}/entmoot-dr:owner`]: 'EntmootDrPrimary',
                  [`rds:${tag}/entmoot-dr:lifecycle`]: ['ephemeral', 'rotating'],
                },
              },
            }),
          ]),
        },
      });
    }
  });

  it('sends its failed, timed-out and aborted runs to the status-change reporter', () => {
    primary.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [Match.anyValue()] },
      },
      Targets: [Match.objectLike({ InputTransformer: Match.objectLike({ InputPathsMap: { detail: '$.detail' } }) })],
    });
  });
});
