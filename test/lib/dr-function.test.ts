import { synthesize } from '../support/synth';

describe('the house Lambda functions', () => {
  const { primary } = synthesize();
  const functions = primary.findResources('AWS::Lambda::Function');

  it('run on the newest Node.js runtime, arm64, with active tracing and an explicit log group', () => {
    expect(Object.keys(functions).length).toBeGreaterThanOrEqual(3);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: expect.anything(), LogFormat: 'JSON' },
      });
    }
  });

  it('carry no plan data and no secret in their environment', () => {
    for (const fn of Object.values(functions)) {
      const env = JSON.stringify(fn.Properties.Environment ?? {});
      expect(env).not.toContain('EDR_PLAN');
      expect(env).not.toMatch(/password|secret|token/i);
    }
  });

  it('use roles without AWS managed policies', () => {
    for (const role of Object.values(primary.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});
