import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

/**
 * A Pass state that saves when it was entered (`$$.State.EnteredTime`) as `$.marks.<mark>.at`: the report
 * measures durations between marks (`WorkflowDescriptor.measurements`), the definition does no arithmetic.
 */
export function markTime(scope: Construct, name: string, mark: string): sfn.Pass {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(mark)) throw new Error(`markTime: mark "${mark}" must be a camelCase name`);
  return new sfn.Pass(scope, name, {
    parameters: { 'at.$': '$$.State.EnteredTime' },
    resultPath: `$.marks.${mark}`,
  });
}
