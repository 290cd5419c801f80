import {
  httpStatus,
  isConditionalConflict,
  isObjectMissing,
  isPreconditionFailed,
  isS3AccessDenied,
} from '../../../functions/shared/s3-errors';

/** An SDK error as the S3 client throws it: a name (from the body, or the status alone) and its HTTP status. */
function s3Error(name: string, status?: number): Error {
  const error = new Error(`${name} (${status})`);
  error.name = name;
  return Object.assign(error, status === undefined ? {} : { $metadata: { httpStatusCode: status } });
}

describe('httpStatus', () => {
  it('reads the status the SDK recorded', () => {
    expect(httpStatus(s3Error('NoSuchKey', 404))).toBe(404);
  });

  it('is undefined for an error without metadata, and for anything that is not an error', () => {
    expect(httpStatus(new Error('plain'))).toBeUndefined();
    expect(httpStatus(undefined)).toBeUndefined();
  });
});

describe('isObjectMissing', () => {
  it.each([
    ['NoSuchKey from GetObject', s3Error('NoSuchKey', 404)],
    ['NotFound from HeadObject, which has no body', s3Error('NotFound', 404)],
    ['a bare 404 named by its status', s3Error('404')],
    ['an unnamed error with status 404', s3Error('UnknownError', 404)],
  ])('is true for %s', (_case, error) => {
    expect(isObjectMissing(error)).toBe(true);
  });

  it('is false for NoSuchBucket: a wrong bucket is a wrong plan, not a missing object', () => {
    expect(isObjectMissing(s3Error('NoSuchBucket', 404))).toBe(false);
  });

  it.each([
    ['a denial', s3Error('AccessDenied', 403)],
    ['a server error', s3Error('InternalError', 500)],
    ['something that is not an error', 'NoSuchKey'],
  ])('is false for %s', (_case, error) => {
    expect(isObjectMissing(error)).toBe(false);
  });
});

describe('isS3AccessDenied', () => {
  it.each([
    ['AccessDenied from a request with a body', s3Error('AccessDenied', 403)],
    ['Forbidden from HeadObject, which has no body', s3Error('Forbidden', 403)],
    ['a bare 403 named by its status', s3Error('403')],
    ['an unnamed error with status 403', s3Error('UnknownError', 403)],
    ['another service’s denial name', s3Error('AccessDeniedException')],
  ])('is true for %s', (_case, error) => {
    expect(isS3AccessDenied(error)).toBe(true);
  });

  it.each([
    ['a missing key', s3Error('NoSuchKey', 404)],
    ['a failed precondition', s3Error('PreconditionFailed', 412)],
  ])('is false for %s', (_case, error) => {
    expect(isS3AccessDenied(error)).toBe(false);
  });
});

describe('isPreconditionFailed', () => {
  it.each([
    ['PreconditionFailed', s3Error('PreconditionFailed', 412)],
    ['an unnamed error with status 412', s3Error('UnknownError', 412)],
  ])('is true for %s', (_case, error) => {
    expect(isPreconditionFailed(error)).toBe(true);
  });

  it('is false for a write conflict (409), which is retried, not a lost race', () => {
    expect(isPreconditionFailed(s3Error('ConditionalRequestConflict', 409))).toBe(false);
  });
});

describe('isConditionalConflict', () => {
  it.each([
    ['ConditionalRequestConflict', s3Error('ConditionalRequestConflict', 409)],
    ['an unnamed error with status 409', s3Error('UnknownError', 409)],
  ])('is true for %s', (_case, error) => {
    expect(isConditionalConflict(error)).toBe(true);
  });

  it('is false for a failed precondition (412): the other write won', () => {
    expect(isConditionalConflict(s3Error('PreconditionFailed', 412))).toBe(false);
  });
});
