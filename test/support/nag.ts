import type { App } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Report {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

/**
 * Synthesizes an app that has cdk-nag's plugin added and returns every unacknowledged finding as
 * `RuleId construct/path`, plus `synth failed: …` when synthesis failed for any reason.
 */
export function nagFindings(app: App): string[] {
  let failure: string | undefined;
  try {
    app.synth();
  } catch (error) {
    failure = `synth failed: ${(error as Error).message}`;
  }
  const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as Report;
  const findings = report.pluginReports.flatMap((p) =>
    p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`)),
  );
  return findings.length > 0 || !failure ? findings : [failure];
}
