import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LAMBDA_INVOCATION_MARGIN, lambdaTaskTimeout } from '../../statemachines/lambda-task';
import { collectStates } from '../support/workflow/asl';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';
import { fakeResourceNames, stateMachineDefinitions } from '../support/workflow/template';

function fn(timeout?: Duration): lambda.Function {
  const stack = new Stack(new App());
  return new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    timeout,
  });
}

describe('lambdaTaskTimeout', () => {
  it('is the function’s own timeout plus the invocation margin of 30 seconds', () => {
    const timeout = lambdaTaskTimeout(fn(Duration.seconds(60)));

    expect(LAMBDA_INVOCATION_MARGIN.toSeconds()).toBe(30);
    expect(timeout.seconds).toBe(90);
  });

  it('adds the margin to Lambda’s default of 3 seconds for a function created without a timeout', () => {
    const timeout = lambdaTaskTimeout(fn());

    expect(timeout.seconds).toBe(33);
  });
});

describe('every Lambda task of both stacks', () => {
  const plan = configuredPlan();
  const { primary, recovery } = synthesize(plan);

  it.each([
    ['primary', primary.toJSON(), plan.regions.primary],
    ['recovery', recovery.toJSON(), plan.regions.recovery],
  ])('in the %s stack waits its function’s timeout plus the margin', (_stack, template, region) => {
    const names = fakeResourceNames(template, { region });
    const timeoutByArn = new Map<string, number>();
    for (const [logicalId, resource] of Object.entries<any>(template.Resources)) {
      if (resource.Type === 'AWS::Lambda::Function')
        timeoutByArn.set(names[logicalId].arn, resource.Properties.Timeout ?? 3);
    }

    const tasks = Object.values(stateMachineDefinitions(template, { region })).flatMap((machine) =>
      [...collectStates(machine.definition).values()]
        .filter(({ state }) => state.Resource?.endsWith(':lambda:invoke'))
        .map(({ name, state }) => ({
          name,
          timeout: state.TimeoutSeconds,
          functionTimeout: timeoutByArn.get((state.Parameters as { FunctionName: string }).FunctionName),
        })),
    );

    expect(tasks.length).toBeGreaterThan(0);
    for (const task of tasks) {
      expect(task.functionTimeout).toEqual(expect.any(Number));
      expect(task).toEqual({ ...task, timeout: (task.functionTimeout as number) + 30 });
    }
  });
});
