import {
  DescribeStateMachineCommand,
  ListExecutionsCommand,
  SFNClient,
  SFNServiceException,
  StateMachineDoesNotExist,
  type ExecutionListItem,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { checkFreshness, type FreshnessJob } from '../../../functions/freshness/check-freshness';
import { InvalidInputError, ThrottledError } from '../../../functions/shared/errors';

const NOW = new Date('2025-11-10T09:00:00Z');
const ago = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);

const sfn = new SFNClient({ region: 'us-east-1' });
const sfnMock = mockClient(sfn);
const deps = { sfn, now: () => NOW };

const JANITOR_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:edr-janitor';
const DRILL_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:edr-failover-drill';
const janitor: FreshnessJob = { job: 'janitor', stateMachineArn: JANITOR_ARN, intervalHours: 24, graceHours: 6 };
const drill: FreshnessJob = { job: 'failover-drill', stateMachineArn: DRILL_ARN, intervalHours: 2352, graceHours: 6 };

function succeeded(arn: string, stoppedHoursAgo: number): ExecutionListItem {
  return {
    executionArn: `${arn.replace(':stateMachine:', ':execution:')}:run-1`,
    stateMachineArn: arn,
    name: 'run-1',
    status: 'SUCCEEDED',
    startDate: ago(stoppedHoursAgo + 0.5),
    stopDate: ago(stoppedHoursAgo),
  };
}

function awsError(name: string): SFNServiceException {
  return new SFNServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `${name}: test`,
  });
}

beforeEach(() => {
  sfnMock.reset();
});

describe('checkFreshness', () => {
  it('passes a job that succeeded within its interval plus grace', async () => {
    sfnMock
      .on(ListExecutionsCommand, { stateMachineArn: JANITOR_ARN })
      .resolves({ executions: [succeeded(JANITOR_ARN, 30)] });

    const [result] = await checkFreshness([janitor], deps);

    expect(result).toEqual({
      job: 'janitor',
      stateMachineArn: JANITOR_ARN,
      hoursSinceSuccess: 30,
      lastSuccessAt: '2025-11-09T03:00:00.000Z',
      overdue: false,
      result: {
        check: 'freshness',
        target: 'janitor',
        status: 'PASS',
        observed: 30,
        threshold: 30,
        detail: 'janitor last succeeded 30.0 h ago; expected every 24 h + 6 h grace',
      },
    });
  });

  it('asks for the single newest successful execution of each job', async () => {
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [succeeded(JANITOR_ARN, 2)] });

    await checkFreshness([janitor], deps);

    expect(sfnMock.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: JANITOR_ARN, statusFilter: 'SUCCEEDED', maxResults: 1 },
    ]);
    expect(sfnMock.commandCalls(DescribeStateMachineCommand)).toHaveLength(0);
  });

  it('fails a job whose last success is older than its interval plus grace, saying what to check', async () => {
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [succeeded(JANITOR_ARN, 30.1)] });

    const [result] = await checkFreshness([janitor], deps);

    expect(result.overdue).toBe(true);
    expect(result.hoursSinceSuccess).toBe(30.1);
    expect(result.result.status).toBe('FAIL');
    expect(result.result.detail).toBe(
      'janitor last succeeded 30.1 h ago; expected every 24 h + 6 h grace: check its schedule rule and the failed or missing executions of edr-janitor',
    );
  });

  it('measures a job that never succeeded from its state machine’s creation', async () => {
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
    sfnMock.on(DescribeStateMachineCommand, { stateMachineArn: JANITOR_ARN }).resolves({ creationDate: ago(40) });

    const [result] = await checkFreshness([janitor], deps);

    expect(result).toMatchObject({ hoursSinceSuccess: 40, lastSuccessAt: null, overdue: true });
    expect(result.result).toMatchObject({ status: 'FAIL', observed: 40, threshold: 30 });
    expect(result.result.detail).toMatch(
      /^janitor has never succeeded since its state machine was created 40\.0 h ago; expected every 24 h \+ 6 h grace/,
    );
  });

  it('passes a job that never succeeded while it is younger than its interval plus grace', async () => {
    sfnMock.on(ListExecutionsCommand).resolves({});
    sfnMock.on(DescribeStateMachineCommand).resolves({ creationDate: ago(5) });

    const [result] = await checkFreshness([janitor], deps);

    expect(result).toMatchObject({ hoursSinceSuccess: 5, lastSuccessAt: null, overdue: false });
    expect(result.result.status).toBe('PASS');
  });

  it('checks every job on its own interval', async () => {
    sfnMock
      .on(ListExecutionsCommand, { stateMachineArn: JANITOR_ARN })
      .resolves({ executions: [succeeded(JANITOR_ARN, 50)] });
    sfnMock
      .on(ListExecutionsCommand, { stateMachineArn: DRILL_ARN })
      .resolves({ executions: [succeeded(DRILL_ARN, 2000)] });

    const results = await checkFreshness([janitor, drill], deps);

    expect(results.map((r) => [r.job, r.result.status])).toEqual([
      ['janitor', 'FAIL'],
      ['failover-drill', 'PASS'],
    ]);
  });

  it('fails only the job whose executions it may not list, naming states:ListExecutions', async () => {
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: JANITOR_ARN }).rejects(awsError('AccessDeniedException'));
    sfnMock
      .on(ListExecutionsCommand, { stateMachineArn: DRILL_ARN })
      .resolves({ executions: [succeeded(DRILL_ARN, 10)] });

    const [denied, other] = await checkFreshness([janitor, drill], deps);

    expect(denied).toMatchObject({ hoursSinceSuccess: null, lastSuccessAt: null, overdue: false });
    expect(denied.result).toMatchObject({ status: 'FAIL', observed: null, threshold: 30 });
    expect(denied.result.detail).toBe(
      `could not read when janitor last succeeded: the monitor's role needs states:ListExecutions on ${JANITOR_ARN}`,
    );
    expect(other.result.status).toBe('PASS');
  });

  it('names states:DescribeStateMachine when only the creation date is denied', async () => {
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
    sfnMock.on(DescribeStateMachineCommand).rejects(awsError('AccessDeniedException'));

    const [result] = await checkFreshness([janitor], deps);

    expect(result.result.status).toBe('FAIL');
    expect(result.result.detail).toContain('needs states:DescribeStateMachine');
  });

  it('fails a job whose state machine no longer exists', async () => {
    sfnMock
      .on(ListExecutionsCommand)
      .rejects(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }));

    const [result] = await checkFreshness([janitor], deps);

    expect(result.result.status).toBe('FAIL');
    expect(result.result.detail).toContain('does not exist');
  });

  it('throws ThrottledError when Step Functions still throttles after the client’s retries', async () => {
    sfnMock.on(ListExecutionsCommand).rejects(awsError('ThrottlingException'));

    await expect(checkFreshness([janitor], deps)).rejects.toThrow(ThrottledError);
    await expect(checkFreshness([janitor], deps)).rejects.toThrow(
      `states:ListExecutions on ${JANITOR_ARN} was throttled after retries`,
    );
  });

  it('rethrows an unexpected error as it is', async () => {
    const failure = awsError('InternalServerError');
    sfnMock.on(ListExecutionsCommand).rejects(failure);

    await expect(checkFreshness([janitor], deps)).rejects.toBe(failure);
  });

  it('returns nothing for no jobs, and calls nothing', async () => {
    await expect(checkFreshness([], deps)).resolves.toEqual([]);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it.each([
    ['not an array', { job: 'janitor' }, /^jobs must be an array/],
    ['an item that is not an object', ['janitor'], /^jobs\[0\] must be an object/],
    ['an empty job name', [{ ...janitor, job: '' }], /^jobs\[0\]\.job must be/],
    ['a job name with a space', [{ ...janitor, job: 'the janitor' }], /^jobs\[0\]\.job must be/],
    ['a job listed twice', [janitor, { ...drill, job: 'janitor' }], /^jobs\[1\]\.job "janitor" is listed twice/],
    [
      'an ARN that is not a state machine',
      [{ ...janitor, stateMachineArn: 'arn:aws:lambda:us-east-1:123456789012:function:x' }],
      /^jobs\[0\]\.stateMachineArn must be/,
    ],
    [
      'a missing ARN',
      [{ job: 'janitor', intervalHours: 24, graceHours: 6 }],
      /^jobs\[0\]\.stateMachineArn must be .*got nothing/,
    ],
    ['a zero interval', [{ ...janitor, intervalHours: 0 }], /^jobs\[0\]\.intervalHours must be/],
    [
      'an interval given as text',
      [{ ...janitor, intervalHours: '24' }],
      /^jobs\[0\]\.intervalHours must be .*got "24"/,
    ],
    ['a negative grace', [drill, { ...janitor, graceHours: -1 }], /^jobs\[1\]\.graceHours must be/],
    ['an infinite grace', [{ ...janitor, graceHours: Infinity }], /^jobs\[0\]\.graceHours must be/],
  ])('rejects %s with InvalidInputError before any AWS call', async (_, jobs, message) => {
    const run = checkFreshness(jobs as unknown as FreshnessJob[], deps);

    await expect(run).rejects.toThrow(InvalidInputError);
    await expect(checkFreshness(jobs as unknown as FreshnessJob[], deps)).rejects.toThrow(message);
    expect(sfnMock.calls()).toHaveLength(0);
  });
});
