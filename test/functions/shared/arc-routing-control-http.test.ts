import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { arcClient, getRoutingControlState } from '../../../functions/shared/arc-routing-control';

// The real client over real HTTP (no SDK mock): proves the timeouts end a silent endpoint's request, which a mock
// replacing `send` cannot.
const ARN =
  'arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef0123456789abcdef/routingcontrol/abcdef0123456789';
const held = new Set<http.ServerResponse>();
const targets: string[] = [];
const servers: http.Server[] = [];

async function endpoint(answers: boolean): Promise<string> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      targets.push(
        `${answers ? 'answering' : 'silent'} ${String(req.headers['x-amz-target'])} ${String(req.headers.authorization).split('/')[2]}`,
      );
      if (!answers) {
        held.add(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ RoutingControlArn: JSON.parse(body).RoutingControlArn, RoutingControlState: 'On' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

const saved = { ...process.env };
beforeAll(() => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
});
afterAll(async () => {
  process.env = saved;
  for (const res of held) res.destroy();
  await Promise.all(
    servers.map((s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    }),
  );
});

describe('getRoutingControlState over HTTP', () => {
  it('gives up on an endpoint that never answers after the request timeout and reads the next, signed for its region', async () => {
    const endpoints = [
      { region: 'us-east-1', url: await endpoint(false) },
      { region: 'us-west-2', url: await endpoint(true) },
    ];
    const started = Date.now();

    const reading = await getRoutingControlState(ARN, endpoints, arcClient);

    const elapsed = Date.now() - started;
    expect(reading).toMatchObject({ ok: true, value: 'On', answeredBy: endpoints[1] });
    expect(!reading.ok || reading.unanswered.map((u) => u.error.split(':')[0])).toEqual(['TimeoutError']);
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    expect(elapsed).toBeLessThan(6000);
    expect(targets).toEqual([
      'silent ToggleCustomerAPI.GetRoutingControlState us-east-1',
      'answering ToggleCustomerAPI.GetRoutingControlState us-west-2',
    ]);
  }, 10_000);
});
