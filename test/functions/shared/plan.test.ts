import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPlanFile } from '../../../functions/shared/plan';
import { PLAN_FILE_NAME } from '../../../functions/shared/plan-file';
import { seedPlan } from '../../support/plans';

describe('readPlanFile', () => {
  it('reads the plan file shipped beside the bundle', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'edr-bundle-'));
    writeFileSync(join(dir, PLAN_FILE_NAME), JSON.stringify(seedPlan()));

    // Act
    const plan = readPlanFile(dir);

    // Assess
    expect(plan).toEqual(seedPlan());
  });

  it('fails with a ConfigurationError naming the file when the bundle has no plan', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edr-bundle-'));

    expect(() => readPlanFile(dir)).toThrow(
      expect.objectContaining({
        name: 'ConfigurationError',
        message: `the DR plan file ${join(dir, PLAN_FILE_NAME)} cannot be read (ENOENT): redeploy the stack`,
      }),
    );
  });
});
