import { requireEnv } from '../../../functions/shared/env';

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
