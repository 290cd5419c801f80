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
import { isConditionalConflict, isObjectMissing } from '../shared/s3-errors';
import type { HistoryEventLike, ReportDeps } from './report-run';
import { paginate } from '../shared/paginate';

/** Most history pages read for one report (1,000 events a page; an execution holds at most 25,000). */
const MAX_HISTORY_PAGES = 25;

/** Most key pages read under one run's prefix (1,000 keys a page): a run stores one object per target and a few more. */
const MAX_KEY_PAGES = 100;

/** Attempts of a conditional write that S3 answers 409 ConditionalRequestConflict. */
export const CONDITIONAL_WRITE_ATTEMPTS = 4;

/**
 * S3 answers a conditional write (`If-None-Match: *`) that races another write to the same key with
 * 409 `ConditionalRequestConflict`, which AWS documents as retryable; the SDK's standard retry mode does not retry
 * a 409. So it is retried here, after a short pause: the retry then gets 412 (the other write won) or succeeds.
 */
export async function retryConflicts<T>(
  write: () => Promise<T>,
  pause: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (!isConditionalConflict(error) || attempt >= CONDITIONAL_WRITE_ATTEMPTS) throw error;
      await pause(100 * 2 ** (attempt - 1) * Math.random());
    }
  }
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
      const pages = paginate({
        fetch: (nextToken) =>
          clients.sfn.send(
            new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken, includeExecutionData: false }),
          ),
        next: (out) => out.nextToken,
        maxPages: MAX_HISTORY_PAGES,
        what: `states:GetExecutionHistory of ${executionArn}`,
      });
      for await (const out of pages) events.push(...(out.events ?? []));
      return events;
    },
    putObject: async (key, body, options) => {
      const put = () =>
        clients.s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: options?.contentType ?? 'application/json',
            ...(options?.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
            ...(options?.ifMatch ? { IfMatch: options.ifMatch } : {}),
          }),
        );
      // A compare-and-swap (`ifMatch`) handles 409 itself, by reading again: its ETag may be stale by then.
      await (options?.ifNoneMatch && !options.ifMatch ? retryConflicts(put) : put());
    },
    getObjectVersion: async (key) => {
      try {
        const out = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const body = (await out.Body?.transformToString()) ?? '';
        if (!out.ETag) throw new Error(`s3://${bucket}/${key} was read without an ETag`);
        return { body, etag: out.ETag };
      } catch (error) {
        if (isObjectMissing(error)) return undefined;
        throw error;
      }
    },
    getObject: async (key) => {
      try {
        const out = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await out.Body?.transformToString();
      } catch (error) {
        if (isObjectMissing(error)) return undefined;
        throw error;
      }
    },
    listKeys: async (prefix) => {
      const keys: string[] = [];
      const pages = paginate({
        fetch: (token) =>
          clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })),
        next: (out) => (out.IsTruncated ? out.NextContinuationToken : undefined),
        maxPages: MAX_KEY_PAGES,
        what: `s3:ListBucket of s3://${bucket}/${prefix}`,
      });
      for await (const out of pages) keys.push(...(out.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
      return keys;
    },
    objectExists: async (key) => {
      try {
        await clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (error) {
        if (isObjectMissing(error)) return false;
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
