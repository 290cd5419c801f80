/** A minimal AwsModel for the harness's own tests: a clock and scripted answers per Resource. */
import type { AwsModel } from './run';

/** A call the fake model received. */
export interface ModelCall {
  readonly region: string;
  readonly resource: string;
  readonly params: Record<string, unknown>;
}

/** An error as Step Functions reports it: `name` is the Error, `message` the Cause. */
export function sfnError(name: string, cause = `${name} raised by the fake model`): Error {
  const err = new Error(cause);
  err.name = name;
  return err;
}

/** A tiny account model: a clock, and per-resource answers scripted by the test. */
export class FakeModel implements AwsModel {
  readonly calls: ModelCall[] = [];
  private time: number;

  constructor(
    private readonly answers: Record<string, (params: Record<string, unknown>, model: FakeModel) => unknown> = {},
    start = '2025-11-10T03:00:00.000Z',
  ) {
    this.time = Date.parse(start);
  }

  now(): Date {
    return new Date(this.time);
  }

  advance(seconds: number): void {
    if (seconds < 0) throw new Error(`advance(${seconds}): the clock only moves forward`);
    this.time += seconds * 1000;
  }

  async sfnCall(region: string, resource: string, params: Record<string, unknown>): Promise<unknown> {
    this.calls.push({ region, resource, params });
    const answer = this.answers[resource];
    if (!answer) throw sfnError('ModelRejectedCall', `The fake model has no answer for ${resource}`);
    return answer(params, this);
  }
}
