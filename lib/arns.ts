import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';

/**
 * ARN of an RDS resource (`db`, `snapshot`, `auto-backup`…) in the scope's account, `arn:…:rds:region:account:type:name`.
 * @param region default: the scope's stack region
 */
export function rdsArn(scope: IConstruct, type: string, name: string, region?: string): string {
  return Stack.of(scope).formatArn({
    service: 'rds',
    region,
    resource: type,
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** ARN pattern of this system's state machines (`stateMachine`) or their executions (`execution`), by name prefix. */
export function statesArn(scope: IConstruct, resource: 'stateMachine' | 'execution', namePrefix: string): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource,
    resourceName: `${namePrefix}-*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * The name a state machine of this app was given (every `DrWorkflow` names its machine `<prefix>-<workflow>`), as
 * the literal string: what a function finds it by without its ARN (functions/freshness/handler.ts).
 */
export function givenStateMachineName(stateMachine: IConstruct): string {
  const name = (stateMachine.node.defaultChild as CfnStateMachine | undefined)?.stateMachineName;
  if (typeof name !== 'string' || Token.isUnresolved(name)) {
    throw new Error(`state machine ${stateMachine.node.path} has no name given at synth: name it (DrWorkflow does)`);
  }
  return name;
}
