import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { awsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { bundledPlan } from '../shared/plan';
import { logger } from '../shared/powertools';
import { isObjectMissing } from '../shared/s3-errors';
import { readRestoreReport, type ReadReportEvent } from './read-report';

const env = requireEnv('EVIDENCE_BUCKET');
const plan = bundledPlan();
const s3 = awsClient(S3Client);
const deps = {
  getReport: async (key: string) => {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: env.EVIDENCE_BUCKET, Key: key }));
      return await object.Body?.transformToString('utf8');
    } catch (error) {
      if (isObjectMissing(error)) return undefined;
      throw error;
    }
  },
  putResults: async (key: string, body: string) => {
    await s3.send(
      new PutObjectCommand({ Bucket: env.EVIDENCE_BUCKET, Key: key, Body: body, ContentType: 'application/json' }),
    );
  },
};

/** Reads one database's restore report into results (stored in the evidence bucket) and measurements. */
export const handler = middy((event: ReadReportEvent) =>
  readRestoreReport(event, plan.recoveryTargets.restoreFromBackup.rtoMinutes * 60, deps),
).use(injectLambdaContext(logger, { resetKeys: true }));
