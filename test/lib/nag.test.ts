import { nagFindings } from '../support/nag';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';

describe('cdk-nag AwsSolutions', () => {
  it('reports no unsuppressed finding on either stack', () => {
    const { app } = synthesize(configuredPlan(), { nag: true });
    expect(nagFindings(app)).toEqual([]);
  });
});
