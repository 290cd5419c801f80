import { Match } from 'aws-cdk-lib/assertions';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';

describe('evidence', () => {
  it('is kept in a versioned, TLS-only bucket that expires records after the plan’s retention', () => {
    const { primary } = synthesize();
    primary.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ ExpirationInDays: 400, NoncurrentVersionExpiration: { NoncurrentDays: 400 } }),
        ]),
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'evidence/' }),
    });
    primary.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('is locked in governance mode when the plan asks for Object Lock', () => {
    const { recovery } = synthesize(configuredPlan({ evidence: { retentionDays: 90, objectLock: true } }));
    recovery.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 90 } },
      },
    });
  });
});
