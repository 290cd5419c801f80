import { ListExecutionsCommand, ListStateMachinesCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { translateAwsError } from '../shared/errors';
import { paginate } from '../shared/paginate';

/** Most pages read per listing: a bound on a loop, far above what one stack has. */
const MAX_PAGES = 20;

/**
 * Names of the running executions of this system's state machines (named `<prefix>-…`), which the
 * janitor must not touch the resources of.
 */
export async function runningExecutionNames(sfn: Pick<SFNClient, 'send'>, namePrefix: string): Promise<Set<string>> {
  const machines: string[] = [];
  const machinePages = paginate({
    fetch: (token) =>
      sfn
        .send(new ListStateMachinesCommand({ nextToken: token, maxResults: 1000 }))
        .catch((e) => translateAwsError(e, 'states:ListStateMachines', '*')),
    next: (out) => out.nextToken,
    maxPages: MAX_PAGES,
    what: 'states:ListStateMachines',
  });
  for await (const out of machinePages) {
    machines.push(
      ...(out.stateMachines ?? [])
        .filter((m) => m.name?.startsWith(`${namePrefix}-`))
        .map((m) => m.stateMachineArn ?? ''),
    );
  }
  const names = new Set<string>();
  for (const arn of machines.filter(Boolean)) {
    const executionPages = paginate({
      fetch: (token) =>
        sfn
          .send(
            new ListExecutionsCommand({
              stateMachineArn: arn,
              statusFilter: 'RUNNING',
              nextToken: token,
              maxResults: 1000,
            }),
          )
          .catch((e) => translateAwsError(e, 'states:ListExecutions', arn)),
      next: (out) => out.nextToken,
      maxPages: MAX_PAGES,
      what: `states:ListExecutions (RUNNING) of ${arn}`,
    });
    for await (const out of executionPages) for (const e of out.executions ?? []) if (e.name) names.add(e.name);
  }
  return names;
}
