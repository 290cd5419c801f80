import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLAN_FILE_NAME } from '../../lib/bundling';
import { synthesize } from '../support/synth';

describe('the Lambda bundles of a synthesized app', () => {
  const synthesized = synthesize(undefined, { bundle: true });
  const outdir = synthesized.app.synth().directory;

  it('ship the validated plan beside each bundle as plan.json, not in the code or the environment', () => {
    // Prepare
    const functions = Object.values(synthesized.primary.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Handler === 'index.handler',
    );
    expect(functions.length).toBeGreaterThanOrEqual(3);

    for (const fn of functions) {
      // Act
      const assetDir = join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);

      // Assess
      expect(JSON.parse(readFileSync(join(assetDir, PLAN_FILE_NAME), 'utf8'))).toEqual(
        JSON.parse(JSON.stringify(synthesized.stacks.primary.plan)),
      );
      expect(readFileSync(join(assetDir, 'index.js'), 'utf8')).not.toContain(
        synthesized.stacks.primary.plan.databases[0]!.id,
      );
      expect(JSON.stringify(fn.Properties.Environment ?? {})).not.toContain(
        synthesized.stacks.primary.plan.databases[0]!.id,
      );
      expect(existsSync(join(assetDir, 'index.js.map'))).toBe(true);
    }
  });
});
