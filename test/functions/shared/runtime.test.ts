import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { awsClient, CLIENT_RETRY } from '../../../functions/shared/clients';
import { requireEnv } from '../../../functions/shared/env';
import {
  AccessDeniedError,
  ConfigurationError,
  ERROR_NAMES,
  InvalidInputError,
  ThrottledError,
  translateAwsError,
} from '../../../functions/shared/errors';
import {
  executionName,
  MAX_EXECUTION_NAME_LENGTH,
  MAX_NAME_LENGTH,
  resourceName,
  tagKeys,
} from '../../../functions/shared/naming';
import { failuresFirst, statusForUpperBound, worstStatus } from '../../../functions/shared/check-result';
import { seedPlan } from '../../support/plans';

const awsError = (name: string) => Object.assign(new Error(`${name} happened`), { name });

describe('errors', () => {
  it('carry their class name as the name Lambda reports', () => {
    expect(new InvalidInputError('x').name).toBe(ERROR_NAMES.invalidInput);
    expect(new ThrottledError('x').name).toBe('ThrottledError');
    expect(new ConfigurationError('x')).toBeInstanceOf(Error);
  });

  it('keep the AWS error as the cause', () => {
    const cause = awsError('ThrottlingException');
    expect(() => translateAwsError(cause, 'rds:DescribeDBSnapshots', 'entmoot-prod')).toThrow(
      expect.objectContaining({ name: 'ThrottledError', cause }),
    );
  });

  it('name the missing permission on access denied', () => {
    expect(() => translateAwsError(awsError('AccessDenied'), 's3:GetObject', 's3://b/k')).toThrow(AccessDeniedError);
    expect(() => translateAwsError(awsError('AccessDeniedException'), 's3:GetObject', 's3://b/k')).toThrow(
      /needs s3:GetObject on s3:\/\/b\/k/,
    );
  });

  it('rethrow any other AWS error unchanged', () => {
    const other = awsError('DBInstanceNotFoundFault');
    expect(() => translateAwsError(other, 'rds:DescribeDBInstances', 'x')).toThrow(other);
  });
});

describe('requireEnv', () => {
  afterEach(() => {
    delete process.env.EDR_TEST_A;
    delete process.env.EDR_TEST_B;
  });

  it('returns every variable asked for', () => {
    process.env.EDR_TEST_A = 'a';
    process.env.EDR_TEST_B = 'b';
    expect(requireEnv('EDR_TEST_A', 'EDR_TEST_B')).toEqual({ EDR_TEST_A: 'a', EDR_TEST_B: 'b' });
  });

  it('names every missing variable at once', () => {
    process.env.EDR_TEST_A = 'a';
    expect(() => requireEnv('EDR_TEST_A', 'EDR_TEST_B', 'EDR_TEST_C')).toThrow(
      'missing environment variables EDR_TEST_B, EDR_TEST_C: redeploy the stack',
    );
  });
});

describe('clients', () => {
  it('use the standard retry mode and an explicit region, once per region', async () => {
    const rds = awsClient(RDSClient, 'us-west-2');
    expect(rds).toBeInstanceOf(RDSClient);
    expect(await rds.config.region()).toBe('us-west-2');
    expect(await rds.config.retryStrategy()).toMatchObject({ mode: CLIENT_RETRY.retryMode });
    expect(await rds.config.maxAttempts()).toBe(3);
    expect(awsClient(RDSClient, 'us-west-2')).toBe(rds);
    expect(awsClient(RDSClient, 'us-east-1')).not.toBe(rds);
    expect(awsClient(S3Client, 'us-west-2')).toBeInstanceOf(S3Client);
  });
});

describe('names', () => {
  const at = new Date('2025-11-10T03:04:00Z');

  it('follow edr-<purpose>-<source>-<yyyymmddhhmm>', () => {
    expect(resourceName('edr', 'restore', 'entmoot-prod', at)).toBe('edr-restore-entmoot-prod-202511100304');
  });

  it('cut a long source to 63 characters with a hash that keeps two sources apart', () => {
    const a = resourceName('edr', 'pitr', `entmoot-${'a'.repeat(60)}-one`, at);
    const b = resourceName('edr', 'pitr', `entmoot-${'a'.repeat(60)}-two`, at);
    expect(a.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
    expect(a).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    expect(a).not.toBe(b);
  });

  it('make execution names of [A-Za-z0-9_-] at most 80 long, the same for the same parts', () => {
    const name = executionName('alarm', 'entmoot:prod/cpu high', 'x'.repeat(100));
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(name.length).toBeLessThanOrEqual(MAX_EXECUTION_NAME_LENGTH);
    expect(executionName('alarm', 'entmoot:prod/cpu high', 'x'.repeat(100))).toBe(name);
  });

  it('use the plan’s tag prefix', () => {
    expect(tagKeys(seedPlan())).toEqual({
      owner: 'entmoot-dr:owner',
      execution: 'entmoot-dr:execution',
      lifecycle: 'entmoot-dr:lifecycle',
    });
  });
});

describe('check results', () => {
  it('rank FAIL over WARN over PASS', () => {
    expect(worstStatus([{ status: 'PASS' }, { status: 'WARN' }])).toBe('WARN');
    expect(worstStatus([{ status: 'WARN' }, { status: 'FAIL' }])).toBe('FAIL');
    expect(worstStatus([])).toBe('PASS');
    expect(
      failuresFirst([
        { status: 'PASS', n: 1 },
        { status: 'FAIL', n: 2 },
        { status: 'PASS', n: 3 },
      ]).map((r) => r.n),
    ).toEqual([2, 1, 3]);
  });

  it('warn past the warning level and fail past the limit', () => {
    expect(statusForUpperBound(19.2, 19.2, 24)).toBe('PASS');
    expect(statusForUpperBound(19.3, 19.2, 24)).toBe('WARN');
    expect(statusForUpperBound(24.1, 19.2, 24)).toBe('FAIL');
  });
});
