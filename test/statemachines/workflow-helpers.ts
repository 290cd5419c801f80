import { reportDeps } from '../../functions/report/aws-deps';
import { reportUnreportedRun } from '../../functions/report/report-run';
import type { WorkflowDescriptor } from '../../functions/report/evidence';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AccountModel } from '../support/account/model';
import type { StackWorkflows } from '../support/dr-workflows';
import type { RunResult } from '../support/workflow/run';

/**
 * What EventBridge and the status-change reporter do after a run that did not succeed: the reporter gets
 * the run's status change and writes evidence and notifies only if the report step did not.
 */
export async function afterRun(
  stack: StackWorkflows,
  model: AccountModel,
  descriptor: WorkflowDescriptor,
  run: RunResult,
  execution: { name: string; startTime: Date; machineArn: string },
): Promise<void> {
  if (run.status === 'SUCCEEDED') return;
  const deps = {
    ...reportDeps(
      {
        s3: new S3Client({ region: stack.region, maxAttempts: 1 }),
        sns: new SNSClient({ region: stack.region, maxAttempts: 1 }),
        sfn: new SFNClient({ region: stack.region, maxAttempts: 1 }),
      },
      stack.evidenceBucket,
      stack.topicArn,
    ),
    history: async () => [],
    now: () => model.now(),
  };
  await reportUnreportedRun(
    {
      descriptor,
      detail: {
        executionArn: `${execution.machineArn.replace(':stateMachine:', ':execution:')}:${execution.name}`,
        stateMachineArn: execution.machineArn,
        name: execution.name,
        status: run.status,
        startDate: execution.startTime.getTime(),
        stopDate: model.now().getTime(),
        input: '{}',
        error: run.error ?? null,
        cause: run.cause ?? null,
      },
    },
    stack.plan,
    deps,
  );
}
