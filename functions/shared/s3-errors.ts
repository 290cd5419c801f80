/**
 * What an S3 error means, in one place. S3 names its errors in the response body; a HEAD request has no body,
 * so HeadObject answers only `NotFound` (404) or `Forbidden` (403), and the SDK may name an error it cannot
 * parse by its status code alone (`'404'`). A missing bucket (`NoSuchBucket`, also 404) is not a missing object:
 * it is a wrong plan, which the caller reports as such.
 */
import { awsErrorName, isAccessDenied } from './errors';

/** The HTTP status of an AWS SDK error, when the SDK recorded one. */
export function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** Whether S3 answered that the object does not exist (`NoSuchKey`, HEAD's `NotFound`, a bare 404) — never `NoSuchBucket`. */
export function isObjectMissing(error: unknown): boolean {
  const name = awsErrorName(error) ?? '';
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || name === '404' || httpStatus(error) === 404;
}

/**
 * Whether S3 refused the request (`AccessDenied`, HEAD's `Forbidden`, a bare 403). Without s3:ListBucket, S3
 * answers a missing key with 403 too, so a denial's message should name both permissions.
 */
export function isS3AccessDenied(error: unknown): boolean {
  const name = awsErrorName(error) ?? '';
  return isAccessDenied(error) || name === 'Forbidden' || name === '403' || httpStatus(error) === 403;
}

/**
 * Whether a conditional request's precondition failed (412 `PreconditionFailed`): `If-None-Match: *` found the
 * key already written, or `If-Match` found the object replaced.
 */
export function isPreconditionFailed(error: unknown): boolean {
  return awsErrorName(error) === 'PreconditionFailed' || httpStatus(error) === 412;
}

/**
 * Whether a conditional write raced another write to the same key (409 `ConditionalRequestConflict`), which AWS
 * documents as retryable and the SDK's standard retry mode does not retry.
 */
export function isConditionalConflict(error: unknown): boolean {
  return awsErrorName(error) === 'ConditionalRequestConflict' || httpStatus(error) === 409;
}
