/**
 * Benchmark: how long failover readiness takes to reach its DNS and ARC verdicts when part of what it asks is
 * down (goal: each under 15 s, so the check answers well inside its Lambda timeout during an outage).
 *
 * - DNS: `checkDnsAnswers` with the production bounds (`nodeDnsDeps`: 2 s per query, two UDP sends) against the
 *   local name servers of test/support/dns-server.ts, four of them, one silent; two records (a CNAME and an alias).
 * - ARC: `checkDnsControl` (both routing controls) with the real `arcClient` (one attempt, 2 s connect, 3 s
 *   request) against three local HTTP endpoints: the first two accept and never answer, the third answers as the
 *   ARC cluster API does (JSON 1.0). Signing uses static example credentials set for the section only.
 *
 * Run alone: `npx tsx bench/failover-readiness.ts`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { checkDnsAnswers } from '../functions/failover-readiness/check-dns-answers';
import { checkDnsControl } from '../functions/failover-readiness/check-dns-control';
import { arcClient } from '../functions/shared/arc-routing-control';
import { nodeDnsDeps } from '../functions/shared/authoritative-dns';
import { parsePlan } from '../lib/plan';
import { startDnsServer } from '../test/support/dns-server';
import { examplePlanInput } from '../test/support/plans';

const GOAL_MS = 15_000;
const PANEL = 'arn:aws:route53-recovery-control::123456789012:controlpanel/0123456789abcdef0123456789abcdef';
const PRIMARY_CONTROL = `${PANEL}/routingcontrol/aaaaaaaaaaaaaaaa`;
const RECOVERY_CONTROL = `${PANEL}/routingcontrol/bbbbbbbbbbbbbbbb`;

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return Math.round(s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2);
};

async function timeRuns<T>(runs: number, run: () => Promise<T>): Promise<{ ms: number[]; last: T }> {
  const ms: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    last = await run();
    ms.push(performance.now() - start);
  }
  return { ms, last: last as T };
}

async function benchDns(runs: number) {
  const plan = parsePlan({
    ...examplePlanInput(),
    dns: {
      ...examplePlanInput().dns,
      zoneName: 'entmoot.io',
      records: [
        { name: 'api.entmoot.io', primaryTarget: 'primary-lb.elb.test', recoveryTarget: 'recovery-lb.elb.test' },
        { name: 'alias.entmoot.io', primaryTarget: 'primary-lb.elb.test', recoveryTarget: 'recovery-lb.elb.test' },
      ],
    },
  });
  const server = await startDnsServer('entmoot.io', {
    'api.entmoot.io': { cname: 'primary-lb.elb.test' },
    'alias.entmoot.io': { a: ['192.0.2.10'] },
    'primary-lb.elb.test': { a: ['192.0.2.10'] },
    'recovery-lb.elb.test': { a: ['198.51.100.20'] },
  });
  server.setMode('127.0.0.4', 'silent');
  try {
    const deps = nodeDnsDeps(server.resolver(), { port: server.port });
    const { ms, last } = await timeRuns(runs, () => checkDnsAnswers(plan, deps));
    return {
      dnsRuns: runs,
      dnsMedianMs: median(ms),
      dnsMaxMs: Math.round(Math.max(...ms)),
      dnsTimeoutMs: deps.timeoutMs,
      dnsUdpAttempts: deps.udpAttempts,
      dnsVerdict: last.map((r) => `${r.target} ${r.status}`).join(', '),
    };
  } finally {
    await server.close();
  }
}

/** An endpoint that accepts and never answers, or one that answers GetRoutingControlState. */
async function arcEndpoint(answers: boolean) {
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (!answers) {
        held.add(res);
        return;
      }
      const arn = (JSON.parse(body) as { RoutingControlArn: string }).RoutingControlArn;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ RoutingControlArn: arn, RoutingControlState: arn === PRIMARY_CONTROL ? 'On' : 'Off' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

async function benchArc(runs: number) {
  const endpoints = [await arcEndpoint(false), await arcEndpoint(false), await arcEndpoint(true)];
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  try {
    const plan = parsePlan({
      ...examplePlanInput(),
      dns: {
        ...examplePlanInput().dns,
        control: {
          kind: 'arc',
          // The plan wants https: the URLs are swapped for the local http ones below, as the client factory sees them.
          clusterEndpoints: ['us-east-1', 'eu-west-1', 'us-west-2'].map((region, i) => ({
            region,
            url: `https://endpoint-${i}.example.com/v1`,
          })),
          primaryRoutingControlArn: PRIMARY_CONTROL,
          recoveryRoutingControlArn: RECOVERY_CONTROL,
        },
      },
    });
    const local = new Map(
      plan.dns.control.kind === 'arc'
        ? plan.dns.control.clusterEndpoints.map((e, i) => [e.url, endpoints[i]!.url])
        : [],
    );
    const deps = {
      arcClient: (e: { region: string; url: string }) => arcClient({ region: e.region, url: local.get(e.url)! }),
      recoveryCloudWatch: { send: async () => ({}) } as never,
    };
    const { ms, last } = await timeRuns(runs, () => checkDnsControl(plan, deps));
    return {
      arcRuns: runs,
      arcMedianMs: median(ms),
      arcMaxMs: Math.round(Math.max(...ms)),
      arcVerdict: `${last[0]?.status}: ${last[0]?.detail}`,
    };
  } finally {
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    await Promise.all(endpoints.map((e) => e.close()));
  }
}

/** Runs both measurements and returns their numbers (milliseconds) and verdicts. */
export async function benchFailoverReadiness(runs = 3): Promise<Record<string, number | string>> {
  return { goalMs: GOAL_MS, ...(await benchDns(runs)), ...(await benchArc(runs)) };
}

if (require.main === module) {
  benchFailoverReadiness().then((r) => console.log(r));
}
