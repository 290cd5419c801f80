/**
 * The fleet table (DESIGN §7, issue 8): for plans of 10, 120 and 500 databases (and as many backups buckets), the
 * synth time of both stacks in-process (what `cdk synth` spends beyond starting the CLI), resources per stack,
 * template KB, the largest role's IAM policy characters (inline total) and managed policies per role, the largest
 * state payload of a simulated weekly verification (the synthesized definition run by the workflow harness against
 * the in-memory account model), and cold import of the largest bundle with that plan shipped beside it.
 * `npx tsx bench/fleet.ts` runs this section alone.
 */
import '../test/support/polyfills';
import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStacks } from '../lib/app';
import type { DrPlan } from '../lib/plan';
import { stackWorkflows } from '../test/support/dr-workflows';
import { fleetPlan } from '../test/support/fleet';
import { roleFootprints, templateBytes } from '../test/support/template-limits';
import { runWorkflow } from '../test/support/workflow/run';
import { buildBundle, dummyEnv, measureColdImports } from './bundles';

/** One row of the fleet table. */
export interface FleetRow {
  readonly databases: number;
  readonly synthSeconds: number;
  readonly resources: Record<string, number>;
  readonly templateKb: Record<string, number>;
  readonly largestRolePolicyChars: number;
  readonly maxManagedPoliciesPerRole: number;
  readonly largestStatePayloadBytes: number | null;
  readonly runStatus: string;
  readonly largestBundle: string;
  readonly coldImportMedianMs: number | null;
}

async function simulatedWeeklyRun(
  plan: DrPlan,
  template: Record<string, any>,
): Promise<{ bytes: number | null; status: string }> {
  const stack = stackWorkflows(template, 'us-east-1', plan);
  const machine = stack.machine('BackupVerificationWorkflowStateMachine');
  const now = new Date('2025-11-10T06:00:00Z');
  const model = stack.newModel(now);
  for (const db of plan.databases) {
    model.addDbInstance('us-east-1', { id: db.id, createdAt: new Date(now.getTime() - 60 * 86_400_000) });
    model.addDbSnapshot('us-east-1', {
      id: `rds:${db.id}-2025-11-10-03-00`,
      instanceId: db.id,
      type: 'automated',
      createdAt: new Date(now.getTime() - 3 * 3_600_000),
    });
  }
  for (const b of plan.buckets.filter((x) => x.role === 'backups')) model.addBucket(b.name, 'us-east-1');
  const restore = model.wireSdkMocks();
  try {
    const result = await runWorkflow({
      definition: machine.definition,
      region: 'us-east-1',
      model,
      lambdas: stack.lambdas(model),
      executionName: 'bench-weekly',
      stateMachineName: machine.name,
    });
    return {
      bytes: result.largestPayloadBytes ?? null,
      status: `${result.status}${result.error ? ` ${result.error}` : ''}`,
    };
  } finally {
    restore();
  }
}

/** Measures one fleet size. */
export async function benchFleetSize(size: number, work: string, coldRuns = 9): Promise<FleetRow> {
  const plan = fleetPlan(size);
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'edr-bench-fleet-')) });
  const started = process.hrtime.bigint();
  createStacks(app, plan);
  const assembly = app.synth();
  const synthSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const resources: Record<string, number> = {};
  const templateKb: Record<string, number> = {};
  let largestRolePolicyChars = 0;
  let maxManagedPoliciesPerRole = 0;
  let primaryTemplate: Record<string, any> = {};
  for (const stack of assembly.stacks) {
    const template = stack.template as Record<string, any>;
    if (stack.environment.region === plan.regions.primary) primaryTemplate = template;
    resources[stack.stackName] = Object.keys(template.Resources ?? {}).length;
    templateKb[stack.stackName] = Math.round(templateBytes(template) / 102.4) / 10;
    for (const role of roleFootprints(template, { region: stack.environment.region, account: plan.account })) {
      largestRolePolicyChars = Math.max(largestRolePolicyChars, role.inlineChars, role.largestManagedChars);
      maxManagedPoliciesPerRole = Math.max(maxManagedPoliciesPerRole, role.managedPolicies);
    }
  }
  rmSync(app.outdir, { recursive: true, force: true });
  const run = await simulatedWeeklyRun(plan, primaryTemplate);
  const bundle = await buildBundle('functions/backup-verification/handler.ts', join(work, `fleet-${size}`), plan);
  const cold = measureColdImports(
    [{ label: bundle.name, requires: [bundle.file], env: dummyEnv(bundle.requiredEnv) }],
    coldRuns,
  );
  return {
    databases: size,
    synthSeconds: Math.round(synthSeconds * 10) / 10,
    resources,
    templateKb,
    largestRolePolicyChars,
    maxManagedPoliciesPerRole,
    largestStatePayloadBytes: run.bytes,
    runStatus: run.status,
    largestBundle: `${bundle.name} (${Math.round(bundle.jsBytes / 1024)} KB)`,
    coldImportMedianMs: cold.results[0]?.medianMs ?? null,
  };
}

/** The fleet table for each size. */
export async function benchFleet(
  sizes = [10, 120, 500],
  work = mkdtempSync(join(tmpdir(), 'edr-bench-fleet-')),
): Promise<FleetRow[]> {
  const rows: FleetRow[] = [];
  for (const size of sizes) rows.push(await benchFleetSize(size, work));
  return rows;
}

if (require.main === module) {
  benchFleet()
    .then((rows) => console.log(JSON.stringify(rows, null, 2)))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
