import type { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

export interface WaitUntilProps {
  /** What is waited for, in state names: `Wait for <subject>`, `Is <subject> Done?`. */
  readonly subject: string;
  /** The task that looks (its result goes wherever the task puts it). */
  readonly check: sfn.TaskStateBase;
  /** When the looked-at state means done; omitted: done only through `doneErrors`. */
  readonly done?: sfn.Condition;
  /** Errors of the check that mean done (e.g. not found while waiting for a deletion). */
  readonly doneErrors?: string[];
  /** Errors of the check that mean not yet: the loop looks again (within its bound). */
  readonly notYetErrors?: string[];
  /** Time between looks. */
  readonly interval: Duration;
  /** Most looks before giving up: the bound of the loop. */
  readonly maxAttempts: number;
  /** Where the loop goes when done. */
  readonly onDone: sfn.IChainable;
  /** Where the loop goes when the bound is reached. */
  readonly onTimeout: sfn.IChainable;
}

/**
 * A bounded wait loop: wait, look, and go on when done — or after `maxAttempts` looks, to `onTimeout`.
 * The attempt count lives at `$.wait.attempt`.
 */
export class WaitUntil extends sfn.StateMachineFragment {
  public readonly startState: sfn.State;
  public readonly endStates: sfn.INextable[] = [];

  constructor(scope: Construct, id: string, props: WaitUntilProps) {
    super(scope, id);
    if (!Number.isInteger(props.maxAttempts) || props.maxAttempts < 1) {
      throw new Error(
        `WaitUntil ${props.subject}: maxAttempts must be a whole number of at least 1 (got ${props.maxAttempts})`,
      );
    }
    const start = new sfn.Pass(this, `Start Waiting for ${props.subject}`, {
      result: sfn.Result.fromObject({ attempt: 0 }),
      resultPath: '$.wait',
    });
    const wait = new sfn.Wait(this, `Wait for ${props.subject}`, { time: sfn.WaitTime.duration(props.interval) });
    const count = new sfn.Pass(this, `Count ${props.subject} Attempt`, {
      parameters: { 'attempt.$': 'States.MathAdd($.wait.attempt, 1)' },
      resultPath: '$.wait',
    });
    if (props.doneErrors?.length)
      props.check.addCatch(props.onDone, { errors: props.doneErrors, resultPath: sfn.JsonPath.DISCARD });
    let decide = new sfn.Choice(this, `Is ${props.subject} Done?`);
    if (props.done) decide = decide.when(props.done, props.onDone);
    if (props.notYetErrors?.length)
      props.check.addCatch(decide, { errors: props.notYetErrors, resultPath: sfn.JsonPath.DISCARD });
    decide
      .when(sfn.Condition.numberGreaterThanEquals('$.wait.attempt', props.maxAttempts - 1), props.onTimeout)
      .otherwise(count.next(wait));
    start.next(wait).next(props.check).next(decide);
    this.startState = start;
  }
}
