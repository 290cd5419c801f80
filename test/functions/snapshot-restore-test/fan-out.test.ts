import { childFailureResult, restoreTestItems } from '../../../functions/snapshot-restore-test/fan-out';
import { executionName } from '../../../functions/shared/naming';
import type { DrPlanInput } from '../../../lib/plan';
import { configuredPlan, examplePlanInput } from '../../support/plans';

const [first] = examplePlanInput().databases as NonNullable<DrPlanInput['databases']>;
const plan = configuredPlan({
  databases: [first, { ...first, id: 'entmoot-eu', replica: undefined, drReplica: undefined }],
} as Partial<DrPlanInput>);
const execution = { Name: 'monthly-202611010500' };

describe('restoreTestItems', () => {
  it('lists every database of the plan, each child named after the parent and the database, for the newest snapshot', () => {
    const { databases } = restoreTestItems({ input: { trigger: 'schedule' }, execution }, plan);

    expect(databases).toEqual([
      { dbInstanceId: 'entmoot-prod', snapshotId: null, executionName: 'monthly-202611010500-entmoot-prod' },
      { dbInstanceId: 'entmoot-eu', snapshotId: null, executionName: 'monthly-202611010500-entmoot-eu' },
    ]);
  });

  it('lists only the database named, with the snapshot named', () => {
    const { databases } = restoreTestItems(
      { input: { dbInstanceId: 'entmoot-eu', snapshotId: 'before-upgrade' }, execution },
      plan,
    );

    expect(databases).toEqual([
      { dbInstanceId: 'entmoot-eu', snapshotId: 'before-upgrade', executionName: 'monthly-202611010500-entmoot-eu' },
    ]);
  });

  it('keeps a child name within 80 characters for a long parent name (the EventBridge UUID and a long id)', () => {
    const longName = 'x'.repeat(60);
    const { databases } = restoreTestItems(
      { input: {}, execution: { Name: '0b6f1c5e-2f3a-4c1d-9e8f-7a6b5c4d3e2f' } },
      configuredPlan({
        databases: [{ ...first, id: longName, replica: undefined, drReplica: undefined }],
      } as Partial<DrPlanInput>),
    );

    expect(databases[0].executionName).toBe(executionName('0b6f1c5e-2f3a-4c1d-9e8f-7a6b5c4d3e2f', longName));
    expect(databases[0].executionName.length).toBeLessThanOrEqual(80);
  });

  it.each([
    [[], 'input must be an object'],
    [{ db: 'entmoot-prod' }, 'input has unknown key db: expected dbInstanceId, snapshotId, trigger'],
    [{ dbInstanceId: 'other' }, 'input.dbInstanceId other is not in the plan (databases: entmoot-prod, entmoot-eu)'],
    [{ dbInstanceId: 7 }, 'input.dbInstanceId must be an RDS instance id (got 7)'],
    [{ snapshotId: 'snap-1' }, 'input.snapshotId needs input.dbInstanceId'],
    [{ dbInstanceId: 'entmoot-prod', snapshotId: 'bad snapshot' }, 'input.snapshotId must be an RDS snapshot id'],
  ])('refuses %j with InvalidInputError naming the field', (input, message) => {
    expect(() => restoreTestItems({ input, execution }, plan)).toThrow(
      expect.objectContaining({ name: 'InvalidInputError', message: expect.stringContaining(message) }),
    );
  });
});

describe('childFailureResult', () => {
  const described = {
    ExecutionArn: 'arn:aws:states:us-east-1:123456789012:execution:edr-snapshot-restore-test-db:m-entmoot-eu',
    Name: 'm-entmoot-eu',
    Status: 'FAILED',
    StartDate: Date.parse('2026-11-01T05:17:00Z'),
    Error: 'WaitTimedOutError',
    Cause: 'The restored copy was not available within the RTO of 240 minutes',
  };

  it('names the child’s status, error, cause and evidence key from the described execution', () => {
    const result = childFailureResult({
      target: 'entmoot-eu',
      executionName: 'm-entmoot-eu',
      error: 'States.TaskFailed',
      cause: JSON.stringify(described),
    });

    expect(result).toEqual({
      check: 'snapshot-restore-test',
      target: 'entmoot-eu',
      status: 'FAIL',
      observed: 'FAILED',
      threshold: 'SUCCEEDED',
      detail:
        'the restore test of entmoot-eu ended FAILED with WaitTimedOutError: The restored copy was not available within the RTO of 240 minutes; evidence runs/snapshot-restore-test-db/2026/11/01/m-entmoot-eu.json',
    });
  });

  it('cuts a long child cause to 300 characters', () => {
    const result = childFailureResult({
      target: 'entmoot-eu',
      executionName: 'm-entmoot-eu',
      error: 'States.TaskFailed',
      cause: JSON.stringify({ ...described, Cause: 'y'.repeat(5000) }),
    });

    expect(result.detail).toContain(`${'y'.repeat(299)}…; evidence`);
    expect(result.detail.length).toBeLessThan(450);
  });

  it('says the child could not run when the error is not a child’s end (a StartExecution error)', () => {
    const result = childFailureResult({
      target: 'entmoot-eu',
      executionName: 'm-entmoot-eu',
      error: 'StepFunctions.ExecutionAlreadyExistsException',
      cause: "Execution Already Exists: 'arn:…'",
    });

    expect(result).toMatchObject({
      status: 'FAIL',
      observed: 'StepFunctions.ExecutionAlreadyExistsException',
      detail:
        "the restore test of entmoot-eu could not run (m-entmoot-eu): StepFunctions.ExecutionAlreadyExistsException: Execution Already Exists: 'arn:…'",
    });
  });
});
