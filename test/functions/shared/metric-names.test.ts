import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CHECK_METRICS, DIMENSIONS, FRESHNESS_METRIC, METRICS_NAMESPACE } from '../../../functions/shared/metric-names';

const ROOT = join(__dirname, '..', '..', '..');

/** Relative imports of a TypeScript file that survive compilation (not `import type`), resolved to files. */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => `${resolve(dirname(file), s)}.ts`);
}

/** Every module reachable from `file` by relative imports, and the package imports among them. */
function importGraph(file: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (f: string): void => {
    if (files.has(f)) return;
    files.add(f);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s(?!type\s)[^;]*?from\s+'([^'.][^']*)'/gms)) packages.add(m[1]!);
    for (const next of localImports(f)) visit(next);
  };
  visit(file);
  return { files, packages };
}

describe('metric names', () => {
  it('imports nothing, so importing it constructs no Logger, Metrics or SDK client', () => {
    const { files, packages } = importGraph(join(ROOT, 'functions/shared/metric-names.ts'));
    expect([files.size, [...packages]]).toEqual([1, []]);
  });

  it.each(['lib/backup-verification.ts', 'lib/freshness-monitor.ts', 'lib/dashboard.ts', 'lib/alarms.ts'])(
    '%s reaches no module that builds Powertools objects or SDK clients at import',
    (file) => {
      const { files, packages } = importGraph(join(ROOT, file));
      const reached = [...files].map((f) => f.slice(ROOT.length + 1));
      expect(
        reached.filter((f) => /functions\/shared\/(powertools|clients)\.ts$|check-target\.ts$|handler\.ts$/.test(f)),
      ).toEqual([]);
      expect(
        [...packages].filter((p) => p.startsWith('@aws-lambda-powertools') || p.startsWith('@aws-sdk/client-rds')),
      ).toEqual([]);
    },
  );

  it('names the namespace, the check metrics with their dimensions and the freshness metric', () => {
    expect({ METRICS_NAMESPACE, CHECK_METRICS, DIMENSIONS, FRESHNESS_METRIC }).toEqual({
      METRICS_NAMESPACE: 'EntmootDR',
      CHECK_METRICS: { status: 'CheckStatus', failed: 'CheckFailed', observed: 'CheckObserved' },
      DIMENSIONS: { check: 'Check', target: 'Target', job: 'Job', workflow: 'Workflow', measurement: 'Measurement' },
      FRESHNESS_METRIC: { namespace: 'EntmootDR', metricName: 'HoursSinceSuccess', dimension: 'Job' },
    });
  });
});
