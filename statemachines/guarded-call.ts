import type * as iam from 'aws-cdk-lib/aws-iam';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

export interface GuardedCallAwsServiceProps extends tasks.CallAwsServiceProps {
  /** IAM conditions every policy statement of the task gets (e.g. owner and lifecycle tags). */
  readonly conditions: iam.Conditions;
}

/**
 * An SDK-integration task whose IAM permission carries conditions: a destructive call is allowed only on
 * resources whose tags say they are ours (the code checks the same again before calling).
 */
export class GuardedCallAwsService extends tasks.CallAwsService {
  constructor(scope: Construct, id: string, props: GuardedCallAwsServiceProps) {
    super(scope, id, props);
    for (const statement of this.taskPolicies ?? []) statement.addConditions(props.conditions);
  }
}
