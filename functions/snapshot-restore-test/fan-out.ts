/**
 * The parent restore test's two Lambda steps around its Map of child executions: which databases to test (the
 * input checked before any AWS call; each child's execution name), and a failed child's result (read from the
 * described execution Step Functions hands the parent as the Cause of `States.TaskFailed`).
 */
import type { DrPlan } from '../../lib/plan';
import { evidenceKey } from '../report/evidence';
import type { CheckResult } from '../shared/check-result';
import { InvalidInputError } from '../shared/errors';
import { executionName } from '../shared/naming';
import { checkRestoreInput } from './plan-restore';

/** Workflow id of one database's restore test: its evidence lives under `runs/<this>/`. */
export const CHILD_WORKFLOW = 'snapshot-restore-test-db';
/** Check name of each database's result in the parent's report. */
export const RESTORE_TEST_CHECK = 'snapshot-restore-test';

/** What the parent passes: its own input and execution. */
export interface FanOutEvent {
  readonly input: unknown;
  readonly execution: { readonly Name: string };
}

/** One child to start: its input (fixed keys: the Map's Parameters name each) and execution name. */
export interface ChildItem {
  readonly dbInstanceId: string;
  /** The snapshot to restore, or null for the newest available. */
  readonly snapshotId: string | null;
  readonly executionName: string;
}

const PARENT_KEYS = ['dbInstanceId', 'snapshotId', 'trigger'];

/**
 * The databases the run tests: the one named, or every database of the plan. Throws `InvalidInputError` for an
 * unknown key, an instance not in the plan, a malformed id, or `snapshotId` without `dbInstanceId`.
 */
export function restoreTestItems(event: FanOutEvent, plan: DrPlan): { databases: ChildItem[] } {
  const input = event.input ?? {};
  if (typeof input !== 'object' || Array.isArray(input))
    throw new InvalidInputError('input must be an object such as {} (every database) or {"dbInstanceId": "<id>"}');
  const given = input as Record<string, unknown>;
  const unknown = Object.keys(given).filter((k) => !PARENT_KEYS.includes(k));
  if (unknown.length > 0)
    throw new InvalidInputError(`input has unknown key ${unknown.join(', ')}: expected ${PARENT_KEYS.join(', ')}`);
  const parent = event.execution.Name;
  if (given.dbInstanceId === undefined && given.snapshotId !== undefined)
    throw new InvalidInputError('input.snapshotId needs input.dbInstanceId: name the instance the snapshot belongs to');
  const ids =
    given.dbInstanceId === undefined
      ? plan.databases.map((d) => d.id)
      : [checkRestoreInput({ dbInstanceId: given.dbInstanceId, snapshotId: given.snapshotId }, plan).id];
  return {
    databases: ids.map((id) => ({
      dbInstanceId: id,
      snapshotId: typeof given.snapshotId === 'string' ? given.snapshotId : null,
      executionName: executionName(parent, id),
    })),
  };
}

/** A child whose Task failed: the database, the child's execution name, and the Task's Error and Cause. */
export interface ChildFailureEvent {
  readonly target: string;
  readonly executionName: string;
  readonly error: string;
  readonly cause?: string;
}

const CAUSE_CHARS = 300;

function short(text: string): string {
  return text.length > CAUSE_CHARS ? `${text.slice(0, CAUSE_CHARS - 1)}…` : text;
}

/**
 * The FAIL result of a database whose child run did not succeed. `States.TaskFailed` carries the described child
 * execution as JSON (its status, error and cause, and the start date its evidence key is built from); any other
 * error means the child could not be started or followed (e.g. `StepFunctions.ExecutionAlreadyExistsException`).
 */
export function childFailureResult(event: ChildFailureEvent): CheckResult {
  let described: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(event.cause ?? '') as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as Record<string, unknown>).Status === 'string')
      described = parsed as Record<string, unknown>;
  } catch {
    described = undefined;
  }
  if (!described) {
    return {
      check: RESTORE_TEST_CHECK,
      target: event.target,
      status: 'FAIL',
      observed: event.error,
      threshold: 'SUCCEEDED',
      detail: `the restore test of ${event.target} could not run (${event.executionName}): ${event.error}${event.cause ? `: ${short(event.cause)}` : ''}`,
    };
  }
  const status = String(described.Status);
  const name = typeof described.Name === 'string' ? described.Name : event.executionName;
  const started = typeof described.StartDate === 'number' ? new Date(described.StartDate) : undefined;
  const error = typeof described.Error === 'string' ? described.Error : undefined;
  const cause = typeof described.Cause === 'string' ? described.Cause : undefined;
  const evidence = started ? `; evidence ${evidenceKey(CHILD_WORKFLOW, started.toISOString(), name)}` : '';
  return {
    check: RESTORE_TEST_CHECK,
    target: event.target,
    status: 'FAIL',
    observed: status,
    threshold: 'SUCCEEDED',
    detail: `the restore test of ${event.target} ended ${status}${error ? ` with ${error}` : ''}${cause ? `: ${short(cause)}` : ''}${evidence}`,
  };
}
