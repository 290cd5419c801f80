import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag's AwsSolutions-IAM5 finding for each wildcard resource or action named, exactly as
 * cdk-nag spells the finding (`AwsSolutions-IAM5[Resource::<Logical.Arn>/runs/*]`), so nothing else is hidden.
 */
export function acknowledgeWildcards(
  scope: IConstruct,
  wildcards: { resources?: string[]; actions?: string[] },
  reason: string,
): void {
  const stack = Stack.of(scope);
  for (const resource of wildcards.resources ?? []) {
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(resource))}]`,
      reason,
    });
  }
  for (const action of wildcards.actions ?? []) {
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
  }
}
