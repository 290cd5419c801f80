import { ListExecutionsCommand, ListStateMachinesCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { translateAwsError } from '../shared/errors';

/** Most pages read per listing: a bound on a loop, far above what one stack has. */
const MAX_PAGES = 20;

/**
 * Names of the running executions of this system's state machines (named `<prefix>-…`), which the
 * janitor must not touch the resources of.
 */
export async function runningExecutionNames(sfn: Pick<SFNClient, 'send'>, namePrefix: string): Promise<Set<string>> {
  const machines: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const out = await sfn
      .send(new ListStateMachinesCommand({ nextToken: token, maxResults: 1000 }))
      .catch((e) => translateAwsError(e, 'states:ListStateMachines', '*'));
    machines.push(
      ...(out.stateMachines ?? [])
        .filter((m) => m.name?.startsWith(`${namePrefix}-`))
        .map((m) => m.stateMachineArn ?? ''),
    );
    token = out.nextToken;
    if (!token) break;
  }
  const names = new Set<string>();
  for (const arn of machines.filter(Boolean)) {
    let next: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const out = await sfn
        .send(
          new ListExecutionsCommand({
            stateMachineArn: arn,
            statusFilter: 'RUNNING',
            nextToken: next,
            maxResults: 1000,
          }),
        )
        .catch((e) => translateAwsError(e, 'states:ListExecutions', arn));
      for (const e of out.executions ?? []) if (e.name) names.add(e.name);
      next = out.nextToken;
      if (!next) break;
    }
  }
  return names;
}
