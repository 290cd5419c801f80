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
 * - The failover path: checks 2–6 as one batch runs them, with all of the above down at once and the primary
 *   unreachable (see `benchFailoverPath`).
 *
 * Run alone: `npx tsx bench/failover-readiness.ts`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { checkDnsAnswers } from '../functions/failover-readiness/check-dns-answers';
import { checkDnsControl } from '../functions/failover-readiness/check-dns-control';
import { checkReadinessBatch, type ReadinessDeps } from '../functions/failover-readiness/check-readiness';
import { type ArcClientFactory, arcClient } from '../functions/shared/arc-routing-control';
import { nodeDnsDeps } from '../functions/shared/authoritative-dns';
import { type DrPlan, type DrPlanInput, parsePlan } from '../lib/plan';
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

/**
 * Three local ARC endpoints (the first two accept and never answer, the third answers) behind a plan whose control
 * is ARC, the client factory that swaps the plan's https URLs for the local http ones, and example credentials for
 * signing, set for the duration of `measure` only.
 */
async function withArc<T>(
  dns: Partial<DrPlanInput['dns']>,
  measure: (plan: DrPlan, clientFor: ArcClientFactory) => Promise<T>,
): Promise<T> {
  const endpoints = [await arcEndpoint(false), await arcEndpoint(false), await arcEndpoint(true)];
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  try {
    const clusterEndpoints = ['us-east-1', 'eu-west-1', 'us-west-2'].map((region, i) => ({
      region,
      url: `https://endpoint-${i}.example.com/v1`,
    }));
    const plan = parsePlan({
      ...examplePlanInput(),
      dns: {
        ...examplePlanInput().dns,
        ...dns,
        control: {
          kind: 'arc',
          clusterEndpoints,
          primaryRoutingControlArn: PRIMARY_CONTROL,
          recoveryRoutingControlArn: RECOVERY_CONTROL,
        },
      },
    });
    const local = new Map(clusterEndpoints.map((e, i) => [e.url, endpoints[i]!.url]));
    return await measure(plan, (e) => arcClient({ region: e.region, url: local.get(e.url)! }));
  } finally {
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    await Promise.all(endpoints.map((e) => e.close()));
  }
}

function benchArc(runs: number) {
  return withArc({}, async (plan, clientFor) => {
    const deps = { arcClient: clientFor, recoveryCloudWatch: { send: async () => ({}) } as never };
    const { ms, last } = await timeRuns(runs, () => checkDnsControl(plan, deps));
    return {
      arcRuns: runs,
      arcMedianMs: median(ms),
      arcMaxMs: Math.round(Math.max(...ms)),
      arcVerdict: `${last[0]?.status}: ${last[0]?.detail}`,
    };
  });
}

/**
 * The whole failover-path batch (checks 2–6, as one Lambda call runs them) in the worst case short of an error: one
 * of four name servers silent, the first two of three ARC endpoints silent, and the primary unreachable (a probe that
 * spends the check's whole 5 s connect timeout, as a dropped SYN does). The checks run concurrently, so the batch
 * should take about its slowest check, not their sum; the Lambda's timeout is the plan's 300 s.
 */
async function benchFailoverPath(runs: number) {
  const server = await startDnsServer('entmoot.io', {
    'api.entmoot.io': { cname: 'primary-lb.elb.test' },
    'primary-lb.elb.test': { a: ['192.0.2.10'] },
    'recovery-lb.elb.test': { a: ['198.51.100.20'] },
  });
  server.setMode('127.0.0.4', 'silent');
  const records = [
    { name: 'api.entmoot.io', primaryTarget: 'primary-lb.elb.test', recoveryTarget: 'recovery-lb.elb.test' },
  ];
  try {
    return await withArc({ zoneName: 'entmoot.io', records }, async (plan, clientFor) => {
      const deps: ReadinessDeps = {
        arcClient: clientFor,
        recoveryCloudWatch: { send: async () => ({}) } as never,
        recoveryRds: { send: async () => ({ DBInstances: [] }) } as never,
        recoverySecrets: { send: async () => ({ VersionIdsToStages: { v1: ['AWSCURRENT'] } }) } as never,
        dns: nodeDnsDeps(server.resolver(), { port: server.port }),
        reachability: {
          probe: (_host, _port, timeoutMs) =>
            new Promise((_, reject) => setTimeout(() => reject(new Error('no connection')), timeoutMs)),
          port: 443,
        },
        now: () => new Date(),
      };
      const { ms, last } = await timeRuns(runs, () => checkReadinessBatch([{ kind: 'failoverPath' }], plan, deps));
      return {
        pathRuns: runs,
        pathMedianMs: median(ms),
        pathMaxMs: Math.round(Math.max(...ms)),
        pathVerdict: last.map((r) => `${r.check} ${r.status}`).join(', '),
      };
    });
  } finally {
    await server.close();
  }
}

/** Runs the three measurements and returns their numbers (milliseconds) and verdicts. */
export async function benchFailoverReadiness(runs = 3): Promise<Record<string, number | string>> {
  return {
    goalMs: GOAL_MS,
    ...(await benchDns(runs)),
    ...(await benchArc(runs)),
    ...(await benchFailoverPath(runs)),
  };
}

if (require.main === module) {
  benchFailoverReadiness().then((r) => console.log(r));
}
