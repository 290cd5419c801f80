import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { DrPlan } from './plan';
import { PrimaryStack } from './primary-stack';
import { RecoveryStack } from './recovery-stack';

/** The two stacks of the app. */
export interface DrStacks {
  readonly primary: PrimaryStack;
  readonly recovery: RecoveryStack;
}

/** Creates both stacks from a validated plan, each in its own region, with no reference between them. */
export function createStacks(app: App, plan: DrPlan): DrStacks {
  const primary = new PrimaryStack(app, plan.system.primaryStackName, {
    plan,
    env: { account: plan.account, region: plan.regions.primary },
    description: 'Entmoot DR: checks, tests and recovery workflows of the primary region',
  });
  const recovery = new RecoveryStack(app, plan.system.recoveryStackName, {
    plan,
    env: { account: plan.account, region: plan.regions.recovery },
    description: 'Entmoot DR: failover, readiness and recovery-region workflows',
  });
  return { primary, recovery };
}

/** Runs cdk-nag's AwsSolutions pack on every stack of the app at synth. */
export function enableNag(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
