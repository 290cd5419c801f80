import { answerDeploy, isDeployEvent, type DeployEvent } from '../../../functions/freshness/deploy-hook';

const event = (RequestType: DeployEvent['RequestType']): DeployEvent => ({
  RequestType,
  ResponseURL: 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x?sig',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/EntmootDrPrimary/1',
  RequestId: 'req-1',
  LogicalResourceId: 'FreshnessFirstRun',
});

function recorder() {
  const responses: { url: string; body: Record<string, unknown> }[] = [];
  const warnings: string[] = [];
  return {
    responses,
    warnings,
    deps: {
      respond: async (url: string, body: string) => {
        responses.push({ url, body: JSON.parse(body) as Record<string, unknown> });
      },
      warn: (m: string) => warnings.push(m),
    },
  };
}

describe('the freshness monitor’s deploy hook', () => {
  it.each(['Create', 'Update'] as const)('runs the monitor on %s and answers CloudFormation SUCCESS', async (type) => {
    const { responses, deps } = recorder();
    let runs = 0;

    const result = await answerDeploy(event(type), async () => (runs += 1), deps);

    expect([result.ran, runs]).toEqual([true, 1]);
    expect(responses).toEqual([
      {
        url: event(type).ResponseURL,
        body: {
          Status: 'SUCCESS',
          Reason: 'freshness monitor ran',
          PhysicalResourceId: 'freshness-first-run',
          StackId: event(type).StackId,
          RequestId: 'req-1',
          LogicalResourceId: 'FreshnessFirstRun',
        },
      },
    ]);
  });

  it('does not run the monitor when the stack is deleted, and still answers', async () => {
    const { responses, deps } = recorder();
    let runs = 0;

    await answerDeploy(event('Delete'), async () => (runs += 1), deps);

    expect([runs, responses.map((r) => r.body.Status)]).toEqual([0, ['SUCCESS']]);
  });

  it('answers SUCCESS and warns when the monitor fails, so a deployment neither hangs nor rolls back', async () => {
    const { responses, warnings, deps } = recorder();

    const result = await answerDeploy(
      event('Create'),
      async () => {
        throw Object.assign(new Error('slow down'), { name: 'ThrottledError' });
      },
      deps,
    );

    expect([result.ran, responses.map((r) => r.body.Status), warnings]).toEqual([
      false,
      ['SUCCESS'],
      ['freshness monitor failed at deploy (its daily run will retry): ThrottledError'],
    ]);
  });

  it.each([
    ['the schedule’s event', { trigger: 'schedule' }, false],
    ['no event', undefined, false],
    ['a custom-resource request', event('Create'), true],
  ])('tells %s apart', (_, input, expected) => {
    expect(isDeployEvent(input)).toBe(expected);
  });
});
