import { checkDnsAnswers } from '../../../functions/failover-readiness/check-dns-answers';
import { nodeDnsDeps } from '../../../functions/shared/authoritative-dns';
import { type LocalDnsServer, startDnsServer } from '../../support/dns-server';
import { configuredPlan } from '../../support/plans';

const PRIMARY = 'primary-lb.elb.test';
const RECOVERY = 'recovery-lb.elb.test';
const plan = configuredPlan({
  dns: {
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    zoneName: 'entmoot.io',
    records: [
      { name: 'api.entmoot.io', primaryTarget: PRIMARY, recoveryTarget: RECOVERY },
      { name: 'alias.entmoot.io', primaryTarget: PRIMARY, recoveryTarget: RECOVERY },
    ],
  },
});
const TARGETS = {
  [PRIMARY]: { a: ['192.0.2.10', '192.0.2.11'] },
  [RECOVERY]: { a: ['198.51.100.20'] },
  'other-lb.elb.test': { a: ['203.0.113.5'] },
};
const AT_PRIMARY = {
  ...TARGETS,
  'api.entmoot.io': { cname: PRIMARY },
  'alias.entmoot.io': { a: ['192.0.2.10', '192.0.2.11'] },
};
const AT_RECOVERY = {
  ...TARGETS,
  'api.entmoot.io': { cname: RECOVERY },
  'alias.entmoot.io': { a: ['198.51.100.20'] },
};
const AT_OTHER = {
  ...TARGETS,
  'api.entmoot.io': { cname: 'other-lb.elb.test' },
  'alias.entmoot.io': { a: ['203.0.113.5'] },
};

let server: LocalDnsServer;
beforeAll(async () => {
  server = await startDnsServer('entmoot.io', AT_PRIMARY);
});
afterAll(() => server.close());
beforeEach(() => {
  for (const ns of server.nameServers) {
    server.setMode(ns.address, 'normal');
    server.setRecords(ns.address, undefined);
  }
  server.queries.length = 0;
});

const run = () => checkDnsAnswers(plan, nodeDnsDeps(server.resolver(), { port: server.port, timeoutMs: 300 }));
const byTarget = async () => Object.fromEntries((await run()).map((r) => [r.target, r] as const));
const everyServer = (records: typeof AT_RECOVERY) => {
  for (const ns of server.nameServers) server.setRecords(ns.address, records);
};

describe('checkDnsAnswers', () => {
  it('passes when every name server answers the primary target, CNAME by name and alias by address', async () => {
    const results = await byTarget();

    expect(results['api.entmoot.io']).toMatchObject({
      status: 'PASS',
      observed: `CNAME ${PRIMARY}`,
      threshold: PRIMARY,
    });
    expect(results['alias.entmoot.io']).toMatchObject({ status: 'PASS', observed: 'addresses 192.0.2.10, 192.0.2.11' });
  });

  it('fails "already failed over" when the servers answer the recovery target', async () => {
    everyServer(AT_RECOVERY);

    const results = await byTarget();

    expect(results['api.entmoot.io']).toMatchObject({ status: 'FAIL', observed: RECOVERY });
    expect(results['api.entmoot.io']?.detail).toMatch(
      /^already failed over: 4 of 4 name servers answer the recovery target/,
    );
    expect(results['alias.entmoot.io']).toMatchObject({ status: 'FAIL', observed: RECOVERY });
  });

  it('fails naming another target', async () => {
    everyServer(AT_OTHER);

    const results = await byTarget();

    expect(results['api.entmoot.io']).toMatchObject({ status: 'FAIL', observed: 'CNAME other-lb.elb.test' });
    expect(results['api.entmoot.io']?.detail).toMatch(
      /^api\.entmoot\.io points at neither target: .*expected primary-lb\.elb\.test$/,
    );
    expect(results['alias.entmoot.io']).toMatchObject({ status: 'FAIL', observed: 'addresses 203.0.113.5' });
  });

  it('fails naming NXDOMAIN when the zone no longer holds the record', async () => {
    everyServer({ ...TARGETS } as typeof AT_RECOVERY);

    const results = await byTarget();

    expect(results['api.entmoot.io']).toMatchObject({ status: 'FAIL', observed: 'NXDOMAIN' });
  });

  it('says so when an alias cannot be recognised because the primary target resolves to nothing', async () => {
    everyServer({ ...AT_PRIMARY, [PRIMARY]: { a: [] } } as typeof AT_RECOVERY);

    const results = await byTarget();

    expect(results['alias.entmoot.io']?.status).toBe('FAIL');
    expect(results['alias.entmoot.io']?.detail).toMatch(
      /\(primary-lb\.elb\.test resolved to no address, so an alias to it cannot be recognised\)$/,
    );
    expect(results['api.entmoot.io']?.status).toBe('PASS');
  });

  it('fails when no server answers authoritatively', async () => {
    for (const ns of server.nameServers) server.setMode(ns.address, 'notAuthoritative');

    const results = await byTarget();

    expect(results['api.entmoot.io']).toMatchObject({ status: 'FAIL', observed: null });
    expect(results['api.entmoot.io']?.detail).toMatch(
      /^no name server of the zone answered authoritatively for api\.entmoot\.io: ns-1\.awsdns-test\.net \(127\.0\.0\.1\): a reply without the authoritative \(AA\) flag/,
    );
  });

  it('warns when one server disagrees, naming it', async () => {
    server.setRecords('127.0.0.2', AT_RECOVERY);

    const results = await byTarget();

    expect(results['api.entmoot.io']).toMatchObject({
      status: 'WARN',
      detail: `3 of 4 name servers answer the primary target; ns-2.awsdns-test.net (127.0.0.2) answered CNAME ${RECOVERY}`,
    });
  });

  it('warns when one server is silent, naming it', async () => {
    server.setMode('127.0.0.4', 'silent');

    const results = await byTarget();

    expect(results['api.entmoot.io']).toMatchObject({
      status: 'WARN',
      detail: '3 of 4 name servers answer the primary target; ns-4.awsdns-test.net (127.0.0.4): no reply',
    });
  });

  it('passes through TCP when a server truncates its UDP reply', async () => {
    server.setMode('127.0.0.3', 'truncated');

    const results = await byTarget();

    expect(results['api.entmoot.io']?.status).toBe('PASS');
    expect(server.queries.some((q) => q.address === '127.0.0.3' && q.transport === 'tcp')).toBe(true);
  });

  it('fails when half the servers answer the recovery target: a split zone is not ready', async () => {
    server.setRecords('127.0.0.1', AT_RECOVERY);
    server.setRecords('127.0.0.2', AT_RECOVERY);

    const results = await byTarget();

    expect(results['api.entmoot.io']?.detail).toMatch(
      /^already failed over: 2 of 4 name servers .* \(2 still the primary\)/,
    );
  });

  it('fails every record when the zone’s name servers cannot be found', async () => {
    const results = await checkDnsAnswers(
      { ...plan, dns: { ...plan.dns, zoneName: 'nowhere.test' } },
      nodeDnsDeps(server.resolver(), { port: server.port, timeoutMs: 300 }),
    );

    expect(results.map((r) => [r.target, r.status])).toEqual([
      ['api.entmoot.io', 'FAIL'],
      ['alias.entmoot.io', 'FAIL'],
    ]);
    expect(results[0]?.detail).toBe(
      "cannot find the name servers of nowhere.test: NS lookup of nowhere.test failed (ENOTFOUND); check dns.zoneName and the function's DNS resolution",
    );
  });
});
