import { javaExceptionName, javaMemberName, sfnSdkErrorName, splitOnWordBoundaries } from '../../support/account/names';

describe('Java SDK v2 naming rule', () => {
  it.each([
    ['DBInstanceIdentifier', 'DbInstanceIdentifier'],
    ['DBSnapshotIdentifier', 'DbSnapshotIdentifier'],
    ['DBInstances', 'DbInstances'],
    ['DBInstanceStatus', 'DbInstanceStatus'],
    ['KMSKeyId', 'KmsKeyId'],
    ['IAMDatabaseAuthenticationEnabled', 'IamDatabaseAuthenticationEnabled'],
    ['DBSubnetGroupName', 'DbSubnetGroupName'],
    ['stateMachineArn', 'StateMachineArn'],
    ['ETag', 'ETag'],
    ['TagList', 'TagList'],
    ['SkipFinalSnapshot', 'SkipFinalSnapshot'],
  ])('lower-cases the leading acronym of member %s to %s', (js, java) => {
    expect(javaMemberName(js)).toBe(java);
  });

  it.each([
    ['SourceDBInstanceIdentifier'],
    ['TargetDBInstanceIdentifier'],
    ['ReadReplicaSourceDBInstanceIdentifier'],
    ['MultiAZ'],
  ])('keeps acronyms inside member %s, as the Java SDK does', (name) => {
    expect(javaMemberName(name)).toBe(name);
  });

  it.each([
    ['DBInstanceNotFoundFault', 'DbInstanceNotFoundException'],
    ['DBSnapshotNotFoundFault', 'DbSnapshotNotFoundException'],
    ['InvalidDBInstanceStateFault', 'InvalidDbInstanceStateException'],
    ['NoSuchKey', 'NoSuchKeyException'],
    ['ConditionalCheckFailedException', 'ConditionalCheckFailedException'],
    ['KMSKeyNotAccessibleFault', 'KmsKeyNotAccessibleException'],
  ])('names exception %s %s', (shape, java) => {
    expect(javaExceptionName(shape)).toBe(java);
  });

  it('splits acronyms into words like the Java code generator', () => {
    expect(splitOnWordBoundaries('InvalidDBInstanceState')).toEqual(['Invalid', 'DB', 'Instance', 'State']);
  });

  it('prefixes SDK integration errors with the Java service name and maps undeclared errors to the base exception', () => {
    expect(sfnSdkErrorName('rds', 'DBInstanceNotFoundFault', true)).toBe('Rds.DbInstanceNotFoundException');
    expect(sfnSdkErrorName('rds', 'Throttling', false)).toBe('Rds.RdsException');
    expect(sfnSdkErrorName('s3', 'NoSuchKey', true)).toBe('S3.NoSuchKeyException');
  });
});
