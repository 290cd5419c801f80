import {
  AccessDeniedError,
  ConfigurationError,
  ERROR_NAMES,
  InvalidInputError,
  ThrottledError,
  translateAwsError,
} from '../../../functions/shared/errors';

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
