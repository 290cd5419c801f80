/** The snapshot restore test Lambda's actions, one function for the handler and the workflow tests. */
import type { DrPlan } from '../../lib/plan';
import type { CheckResult } from '../shared/check-result';
import {
  type ChildFailureEvent,
  type ChildItem,
  childFailureResult,
  type FanOutEvent,
  restoreTestItems,
} from './fan-out';
import { copyName, type PlanRestoreDeps, type PlanRestoreEvent, planRestore, type RestorePlan } from './plan-restore';

/** What the workflows send: the action, and that action's event. */
export type RestoreTestEvent =
  | (PlanRestoreEvent & { readonly action: 'plan' | 'name' })
  | (FanOutEvent & { readonly action: 'items' })
  | (ChildFailureEvent & { readonly action: 'childFailed' });

/**
 * One database's run: `plan` checks the input and plans the restore; `name` (the cleanup, which must find the copy
 * even when the run failed before saving its plan) names the copy again. The parent run: `items` checks its input
 * and lists the children to start; `childFailed` turns a failed child into its database's FAIL result.
 */
export async function restoreTestAction(
  event: RestoreTestEvent,
  plan: DrPlan,
  deps: PlanRestoreDeps,
): Promise<RestorePlan | { copyId: string } | { databases: ChildItem[] } | CheckResult> {
  switch (event.action) {
    case 'items':
      return restoreTestItems(event, plan);
    case 'childFailed':
      return childFailureResult(event);
    case 'name':
      return copyName(event, plan);
    default:
      return planRestore(event, plan, deps);
  }
}
