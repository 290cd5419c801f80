import { FakeModel } from '../../support/workflow/fake-model';
import { checkPayload, payloadBytes, STATE_PAYLOAD_LIMIT_BYTES } from '../../support/workflow/payload-limit';
import { runWorkflow } from '../../support/workflow/run';

const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:Item';
/** About 1 KB of JSON per item. */
const item = (i: number) => ({ index: i, padding: 'x'.repeat(1000) });

/** A Map over `$.items` whose iterations each return about 1 KB, with a Catch on States.ALL around it. */
function mapDefinition(): object {
  return {
    StartAt: 'Each Item',
    States: {
      'Each Item': {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Work On Item',
          States: { 'Work On Item': { Type: 'Task', Resource: FUNCTION, End: true } },
        },
        ResultPath: null,
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
        Next: 'Done',
      },
      Caught: { Type: 'Pass', End: true },
      Done: { Type: 'Succeed' },
    },
  };
}

const run = (definition: object, input: unknown) =>
  runWorkflow({
    definition,
    input,
    region: 'us-east-1',
    model: new FakeModel(),
    lambdas: { Item: (payload) => item((payload as { i: number }).i) },
  });

describe('the harness’s payload cap', () => {
  it('counts a payload as its UTF-8 JSON bytes and allows exactly 262,144', () => {
    const fits = 'é'.repeat((STATE_PAYLOAD_LIMIT_BYTES - 2) / 2);

    expect(payloadBytes(fits)).toBe(STATE_PAYLOAD_LIMIT_BYTES);
    expect(checkPayload(fits, 'test')).toBeUndefined();
    expect(checkPayload(`${fits}a`, 'test')).toMatchObject({ error: 'States.DataLimitExceeded', bytes: 262_145 });
  });

  it('fails the execution with States.DataLimitExceeded when a Map’s gathered results pass the cap, past any Catch', async () => {
    // Prepare: 300 iterations of about 1 KB each; each output fits, their array does not.
    const input = { items: Array.from({ length: 300 }, (_, i) => ({ i })) };

    // Act
    const result = await run(mapDefinition(), input);

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(result.cause).toMatch(/^The result of Map state "Each Item" has \d+ bytes, more than the 262144-byte limit/);
    expect(result.path).not.toContain('Caught');
    expect(result.path).not.toContain('Done');
  });

  it('lets a Map whose gathered results fit the cap succeed', async () => {
    const input = { items: Array.from({ length: 200 }, (_, i) => ({ i })) };

    const result = await run(mapDefinition(), input);

    expect(result.status).toBe('SUCCEEDED');
    expect(result.largestPayloadBytes).toBeGreaterThan(200_000);
  });

  it('fails on a state output past the cap, with no later Task called', async () => {
    // Prepare: a Pass doubles a 150 KB input.
    const definition = {
      StartAt: 'Double It',
      States: {
        'Double It': { Type: 'Pass', Parameters: { 'a.$': '$', 'b.$': '$' }, Next: 'Work On Item' },
        'Work On Item': { Type: 'Task', Resource: FUNCTION, Parameters: { i: 1 }, End: true },
      },
    };

    // Act
    const result = await run(definition, { blob: 'x'.repeat(150_000) });

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(result.cause).toMatch(/^The output of state "Double It" has \d+ bytes/);
    expect(result.taskCalls).toEqual([]);
  });
});
