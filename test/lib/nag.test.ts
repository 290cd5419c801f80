import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configuredPlan } from '../support/plans';
import { synthesize } from '../support/synth';

interface Report {
  pluginReports: { pluginName: string; violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unsuppressed finding on either stack', () => {
    const { app } = synthesize(configuredPlan(), { nag: true });
    let failure: unknown;
    try {
      app.synth();
    } catch (error) {
      failure = error;
    }
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as Report;
    const findings = report.pluginReports.flatMap((p) =>
      p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`)),
    );
    expect(findings).toEqual([]);
    expect(failure).toBeUndefined();
  });
});
