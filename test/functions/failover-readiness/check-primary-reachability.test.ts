import net from 'node:net';
import { checkPrimaryReachability, tcpProbe } from '../../../functions/failover-readiness/check-primary-reachability';
import { configuredPlan, examplePlanInput } from '../../support/plans';

const plan = configuredPlan({
  dns: {
    ...examplePlanInput().dns,
    records: [
      { name: 'api.entmoot.io', primaryTarget: 'primary-lb.elb.test', recoveryTarget: 'recovery.elb.test' },
      { name: 'www.entmoot.io', primaryTarget: 'primary-lb.elb.test', recoveryTarget: 'recovery.elb.test' },
    ],
  },
});

/** The real probe, with the primary target's name standing for this machine's loopback listener. */
const loopbackProbe = (host: string, port: number, timeoutMs: number) =>
  tcpProbe(host === 'primary-lb.elb.test' ? '127.0.0.1' : host, port, timeoutMs);

let server: net.Server;
let openPort: number;
beforeAll(async () => {
  server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  openPort = (server.address() as net.AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('checkPrimaryReachability', () => {
  it('passes once per distinct primary target that accepts a TCP connection', async () => {
    const results = await checkPrimaryReachability(plan, { probe: loopbackProbe, port: openPort });

    expect(results.map((r) => [r.check, r.target, r.status, r.observed])).toEqual([
      ['primary-reachability', `primary-lb.elb.test:${openPort}`, 'PASS', 'reachable'],
    ]);
  });

  it('warns, never fails, when the primary target refuses the connection', async () => {
    const port = await closedPort();

    const [result] = await checkPrimaryReachability(plan, { probe: loopbackProbe, port });

    expect(result).toMatchObject({ status: 'WARN', observed: 'unreachable', threshold: 5 });
    expect(result?.detail).toBe(
      `the primary target primary-lb.elb.test is unreachable on ${port} (ECONNREFUSED): if us-east-1 is down, the results above are what a failover meets now`,
    );
  });

  it('gives the probe 5 s and warns when it times out', async () => {
    const asked: number[] = [];
    const silent = async (_host: string, _port: number, timeoutMs: number) => {
      asked.push(timeoutMs);
      throw new Error(`no connection within ${timeoutMs / 1000} s`);
    };

    const [result] = await checkPrimaryReachability(plan, { probe: silent, port: 443 });

    expect(asked).toEqual([5000]);
    expect(result?.detail).toMatch(
      /^the primary target primary-lb.elb.test is unreachable on 443 \(no connection within 5 s\)/,
    );
  });
});
