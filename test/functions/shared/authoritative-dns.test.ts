import {
  askNameServers,
  discoverNameServers,
  nodeDnsDeps,
  pointsAt,
  resolveTarget,
  type ServerAnswer,
} from '../../../functions/shared/authoritative-dns';
import { type LocalDnsServer, startDnsServer } from '../../support/dns-server';

const ZONE = 'entmoot.io';
let server: LocalDnsServer;

beforeAll(async () => {
  server = await startDnsServer(ZONE, {
    'api.entmoot.io': { cname: 'primary-lb.elb.test' },
    'alias.entmoot.io': { a: ['192.0.2.10', '192.0.2.11'] },
    'v6.entmoot.io': { aaaa: ['2001:db8::10'] },
    'primary-lb.elb.test': { a: ['192.0.2.10', '192.0.2.11'] },
    'recovery-lb.elb.test': { a: ['198.51.100.20'] },
  });
});
afterAll(() => server.close());
beforeEach(() => {
  for (const ns of server.nameServers) {
    server.setMode(ns.address, 'normal');
    server.setRecords(ns.address, undefined);
  }
  server.queries.length = 0;
});

const deps = () => nodeDnsDeps(server.resolver(), { port: server.port, timeoutMs: 300, udpAttempts: 2 });

describe('discoverNameServers', () => {
  it('finds the zone’s name servers and their IPv4 addresses through the resolver', async () => {
    const found = await discoverNameServers(ZONE, deps());

    expect(found).toEqual({ ok: true, servers: server.nameServers, unresolved: [] });
  });

  it('says why when the zone has no NS records', async () => {
    const found = await discoverNameServers('other.test', deps());

    expect(found).toEqual({ ok: false, reason: 'NS lookup of other.test failed (ENOTFOUND)' });
  });
});

describe('askNameServers', () => {
  const asked = async (name: string) =>
    Object.fromEntries(
      (await askNameServers(server.nameServers, name, deps())).map((a) => [a.server.address, a] as const),
    );

  it('asks every server directly with recursion off and reads a CNAME by name', async () => {
    const answers = await asked('api.entmoot.io');

    expect(Object.values(answers).map((a) => a.kind === 'answer' && a.cname)).toEqual(
      Array(4).fill('primary-lb.elb.test'),
    );
    const direct = server.queries.filter((q) => q.name === 'api.entmoot.io');
    expect(direct.map((q) => [q.address, q.transport, q.type, q.recursionDesired])).toEqual(
      server.nameServers.map((ns) => [ns.address, 'udp', 'A', false]),
    );
  });

  it('reads an alias as the addresses answered for the record itself', async () => {
    const answers = await asked('alias.entmoot.io');

    expect(answers['127.0.0.1']).toMatchObject({ kind: 'answer', addresses: ['192.0.2.10', '192.0.2.11'] });
  });

  it('asks for AAAA when the A answer is empty', async () => {
    const answers = await asked('v6.entmoot.io');

    expect(answers['127.0.0.2']).toMatchObject({ kind: 'answer', addresses: ['2001:db8::10'] });
  });

  it('asks again over TCP when the UDP reply is truncated', async () => {
    server.setMode('127.0.0.3', 'truncated');

    const answers = await asked('api.entmoot.io');

    expect(answers['127.0.0.3']).toMatchObject({ kind: 'answer', cname: 'primary-lb.elb.test', transport: 'tcp' });
    expect(server.queries.filter((q) => q.address === '127.0.0.3').map((q) => q.transport)).toEqual(['udp', 'tcp']);
  });

  it('tells a silent server (after its UDP resends), a non-authoritative reply and SERVFAIL apart', async () => {
    server.setMode('127.0.0.2', 'silent');
    server.setMode('127.0.0.3', 'notAuthoritative');
    server.setMode('127.0.0.4', 'servfail');

    const answers = await asked('api.entmoot.io');

    expect([answers['127.0.0.2']?.kind, answers['127.0.0.3']?.kind, answers['127.0.0.4']]).toEqual([
      'silent',
      'notAuthoritative',
      { server: server.nameServers[3], kind: 'error', rcode: 'SERVFAIL' },
    ]);
    expect(server.queries.filter((q) => q.address === '127.0.0.2')).toHaveLength(2);
  });

  it('reports NXDOMAIN for a name the zone does not hold', async () => {
    const answers = await asked('missing.entmoot.io');

    expect(answers['127.0.0.1']).toMatchObject({ kind: 'answer', rcode: 'NXDOMAIN', addresses: [] });
  });
});

describe('pointsAt', () => {
  const answer = (extra: Partial<Extract<ServerAnswer, { kind: 'answer' }>>) =>
    ({
      server: { name: 'ns', address: '127.0.0.1' },
      kind: 'answer',
      addresses: [],
      rcode: 'NOERROR',
      transport: 'udp',
      ...extra,
    }) as Extract<ServerAnswer, { kind: 'answer' }>;
  const primary = { name: 'primary-lb.elb.test', addresses: ['192.0.2.10', '192.0.2.11'] };
  const recovery = { name: 'recovery-lb.elb.test', addresses: ['198.51.100.20'] };

  it('matches a CNAME by name, ignoring case and the trailing dot', () => {
    expect(
      pointsAt(answer({ cname: 'primary-lb.elb.test' }), { ...primary, name: 'Primary-LB.elb.test.' }, recovery),
    ).toBe(true);
    expect(pointsAt(answer({ cname: 'recovery-lb.elb.test' }), primary, recovery)).toBe(false);
  });

  it('matches an alias when it shares an address with the target and none with the other', () => {
    expect(pointsAt(answer({ addresses: ['192.0.2.11'] }), primary, recovery)).toBe(true);
    expect(pointsAt(answer({ addresses: ['192.0.2.11', '198.51.100.20'] }), primary, recovery)).toBe(false);
    expect(pointsAt(answer({ addresses: ['203.0.113.1'] }), primary, recovery)).toBe(false);
  });

  it('resolves a target’s A and AAAA addresses through the resolver', async () => {
    await expect(resolveTarget('primary-lb.elb.test', server.resolver())).resolves.toEqual(primary);
  });
});
