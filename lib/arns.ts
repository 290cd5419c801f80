import { ArnFormat, Stack } from 'aws-cdk-lib';
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
