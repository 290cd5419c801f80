import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GetExecutionHistoryCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { HistoryEventLike, ReportDeps } from './report-run';

/** Most history pages read for one report (1,000 events a page; an execution holds at most 25,000). */
const MAX_HISTORY_PAGES = 25;

function isMissing(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return name === 'NoSuchKey' || name === 'NotFound';
}

/** The report's dependencies on real clients: evidence bucket, topic and execution history. */
export function reportDeps(
  clients: { s3: S3Client; sns: SNSClient; sfn: SFNClient },
  bucket: string,
  topicArn: string,
): ReportDeps {
  return {
    bucket,
    now: () => new Date(),
    history: async (executionArn) => {
      const events: HistoryEventLike[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_HISTORY_PAGES; page += 1) {
        const out = await clients.sfn.send(
          new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken, includeExecutionData: false }),
        );
        events.push(...(out.events ?? []));
        nextToken = out.nextToken;
        if (!nextToken) break;
      }
      return events;
    },
    putObject: async (key, body, options) => {
      await clients.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          ...(options?.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
        }),
      );
    },
    getObject: async (key) => {
      try {
        const out = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await out.Body?.transformToString();
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },
    listKeys: async (prefix) => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const out = await clients.s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        keys.push(...(out.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    objectExists: async (key) => {
      try {
        await clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },
    deleteObject: async (key) => {
      await clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    publish: async ({ subject, message }) => {
      await clients.sns.send(
        new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message, MessageStructure: 'json' }),
      );
    },
  };
}
