import type { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  type ExecutionStatus,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import { reportDeps } from '../report/aws-deps';
import { paginate } from '../shared/paginate';
import { DAY_MS } from '../shared/time';
import type { ListedExecution, ReconcileDeps } from './reconcile';

/** Most ListExecutions pages read per workflow and status (100 executions a page). */
const MAX_LIST_PAGES = 10;

/**
 * How much older than the window's start a listed run may have started and still have ended inside it: longer
 * than any workflow's timeout, so listing (newest start first) stops only past every run that can matter.
 */
const LONGEST_RUN_MS = 7 * DAY_MS;

/** The reconciliation's dependencies on real clients: the report's, plus listing and describing executions. */
export function reconcileDeps(
  clients: { s3: S3Client; sns: SNSClient; sfn: SFNClient },
  bucket: string,
  topicArn: string,
): ReconcileDeps {
  return {
    ...reportDeps(clients, bucket, topicArn),
    listEnded: async (stateMachineArn, status, since) => {
      const listed: ListedExecution[] = [];
      const pages = paginate({
        fetch: (nextToken) =>
          clients.sfn.send(
            new ListExecutionsCommand({
              stateMachineArn,
              statusFilter: status as ExecutionStatus,
              maxResults: 100,
              nextToken,
            }),
          ),
        next: (out) => out.nextToken,
        maxPages: MAX_LIST_PAGES,
        what: `states:ListExecutions (${status}) of ${stateMachineArn}`,
      });
      for await (const out of pages) {
        for (const e of out.executions ?? []) {
          if (e.executionArn && e.name && e.startDate) {
            listed.push({
              executionArn: e.executionArn,
              name: e.name,
              status: e.status ?? status,
              startDate: e.startDate,
              stopDate: e.stopDate,
            });
          }
        }
        const oldest = listed.at(-1)?.startDate.getTime();
        if (oldest !== undefined && oldest < since.getTime() - LONGEST_RUN_MS) break;
      }
      return listed;
    },
    describe: async (executionArn) => {
      const out = await clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return { input: out.input, error: out.error, cause: out.cause };
    },
  };
}
