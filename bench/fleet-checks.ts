/**
 * The replication and posture checks on a fleet (issue 12): 500 databases and 500 replicated buckets (plus 500
 * backups buckets), every AWS client answering after 50 ms. The real batch logic runs (`checkReplicationBatch`,
 * `checkPostureBatch`) over the batches the workflow lists at synth (`fleet.batchSize`), `fleet.maxConcurrency` at a
 * time as the Map runs them; Lambda's own overhead (invocation, cold start) is left out. Reported: calls per database
 * and per bucket by workflow; peak (busiest second) and mean calls per second per service and region beside the
 * limits that apply (RDS: 300 burst, 12/s sustained per account and region, shared with every other caller;
 * GetMetricData: 500 queries a call; S3 publishes no rate for configuration reads); simulated wall time; the slowest
 * batch against the function's timeout (goal: under a third). `npx tsx bench/fleet-checks.ts` runs it alone.
 */
import { checkPostureBatch } from '../functions/posture-check/check-posture';
import { postureTargets, type PostureTarget } from '../functions/posture-check/targets';
import { checkReplicationBatch } from '../functions/replication-check/check-replication';
import { replicationTargets, type ReplicationTarget } from '../functions/replication-check/targets';
import type { CheckResult } from '../functions/shared/check-result';
import type { DrPlan } from '../lib/plan';
import { batchTargets, type FleetBatch } from '../statemachines/check-fleet';
import { fleetPlan } from '../test/support/fleet';

const LATENCY_MS = 50;

interface Call {
  readonly service: string;
  readonly region: string;
  readonly command: string;
  readonly at: number;
  readonly queries?: number;
}

type Input = Record<string, any>;

/** A healthy answer to each command the checks send (enough for the logic to run to a verdict). */
function answer(command: string, input: Input, plan: DrPlan, now: Date): unknown {
  const dr = new Map(plan.buckets.flatMap((b) => (b.drBucket ? [[b.name, b.drBucket]] : [])));
  const block = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
  switch (command) {
    case 'GetBucketReplicationCommand':
      return {
        ReplicationConfiguration: {
          Role: 'arn:aws:iam::123456789012:role/replication',
          Rules: [
            {
              ID: 'dr',
              Status: 'Enabled',
              Filter: {},
              Destination: {
                Bucket: `arn:aws:s3:::${dr.get(input.Bucket) ?? 'unknown'}`,
                ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
                Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
              },
            },
          ],
        },
      };
    case 'GetBucketVersioningCommand':
      return { Status: 'Enabled' };
    case 'GetMetricDataCommand':
      return {
        MetricDataResults: (input.MetricDataQueries as Input[]).map((q) => ({
          Id: q.Id,
          Timestamps: [new Date(now.getTime() - 60_000)],
          Values: [1],
          StatusCode: 'Complete',
        })),
      };
    case 'DescribeDBInstancesCommand': {
      const ids: string[] = input.Filters?.[0]?.Values ?? [];
      return {
        DBInstances: ids.map((id) => ({
          DBInstanceIdentifier: id,
          DBInstanceStatus: 'available',
          BackupRetentionPeriod: 30,
          MultiAZ: true,
          DeletionProtection: true,
          StorageEncrypted: true,
          IAMDatabaseAuthenticationEnabled: true,
          LatestRestorableTime: new Date(now.getTime() - 5 * 60_000),
          DBInstanceAutomatedBackupsReplications: [],
        })),
      };
    }
    case 'GetBucketLifecycleConfigurationCommand':
      return { Rules: [] };
    case 'GetBucketEncryptionCommand':
      return {
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      };
    case 'GetPublicAccessBlockCommand':
      return { PublicAccessBlockConfiguration: block };
    default:
      return {};
  }
}

/** A client of `service` in `region` that records each call and answers after `LATENCY_MS`. */
function client(service: string, region: string, calls: Call[], plan: DrPlan, now: Date) {
  return {
    send: async (command: { constructor: { name: string }; input: Input }) => {
      const name = command.constructor.name;
      calls.push({
        service,
        region,
        command: name,
        at: performance.now(),
        queries: name === 'GetMetricDataCommand' ? command.input.MetricDataQueries.length : undefined,
      });
      await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
      return answer(name, command.input, plan, now) as never;
    },
  };
}

/** What one workflow's simulated run measured. */
export interface FleetCheckRun {
  readonly workflow: string;
  readonly batches: number;
  readonly wallSeconds: number;
  readonly slowestBatchSeconds: number;
  readonly lambdaTimeoutSeconds: number;
  readonly callsPerDatabase: number;
  readonly callsPerBucket: number;
  /** Per `service region`: total calls, busiest second, mean per second. */
  readonly rates: {
    readonly where: string;
    readonly calls: number;
    readonly peakPerSecond: number;
    readonly meanPerSecond: number;
  }[];
  readonly maxQueriesPerGetMetricData: number;
  readonly results: number;
}

async function simulate<T extends { kind: string }>(
  workflow: string,
  plan: DrPlan,
  targets: T[],
  check: (targets: readonly T[], calls: Call[]) => Promise<CheckResult[]>,
): Promise<FleetCheckRun> {
  const batches: FleetBatch<T>[] = batchTargets(targets, plan.fleet.batchSize);
  const calls: Call[] = [];
  const callsByKind = new Map<string, number>();
  const durations: number[] = [];
  let results = 0;
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const own: Call[] = [];
      const began = performance.now();
      const checked = await check(batch.targets, own);
      results += checked.length;
      durations.push((performance.now() - began) / 1000);
      calls.push(...own);
      callsByKind.set(batch.kind, (callsByKind.get(batch.kind) ?? 0) + own.length);
    }
  };
  await Promise.all(Array.from({ length: plan.fleet.maxConcurrency }, worker));
  const wallSeconds = (performance.now() - start) / 1000;
  const groups = new Map<string, Call[]>();
  for (const c of calls) groups.set(`${c.service} ${c.region}`, [...(groups.get(`${c.service} ${c.region}`) ?? []), c]);
  const rates = [...groups.entries()].map(([where, list]) => {
    const seconds = new Map<number, number>();
    for (const c of list) {
      const s = Math.floor((c.at - start) / 1000);
      seconds.set(s, (seconds.get(s) ?? 0) + 1);
    }
    return {
      where,
      calls: list.length,
      peakPerSecond: Math.max(...seconds.values()),
      meanPerSecond: Math.round((list.length / wallSeconds) * 10) / 10,
    };
  });
  const count = (kind: string) => targets.filter((t) => t.kind === kind).length;
  const per = (kind: string) =>
    count(kind) ? Math.round(((callsByKind.get(kind) ?? 0) / count(kind)) * 100) / 100 : 0;
  return {
    workflow,
    batches: batches.length,
    wallSeconds: Math.round(wallSeconds * 10) / 10,
    slowestBatchSeconds: Math.round(Math.max(...durations) * 100) / 100,
    lambdaTimeoutSeconds: plan.timeouts.lambdaTaskSeconds,
    callsPerDatabase: per('database'),
    callsPerBucket: per('bucket'),
    rates,
    maxQueriesPerGetMetricData: Math.max(0, ...calls.map((c) => c.queries ?? 0)),
    results,
  };
}

/** Both checks on the 500-database fleet plan. */
export async function benchFleetChecks(size = 500): Promise<FleetCheckRun[]> {
  const plan = fleetPlan(size);
  const now = new Date();
  const { primary, recovery } = plan.regions;
  const replication = await simulate<ReplicationTarget>(
    'replication-check',
    plan,
    replicationTargets(plan),
    (targets, calls) => {
      const inRegion = (r: string) => ({
        s3: client('s3', r, calls, plan, now),
        cloudWatch: client('cloudwatch', r, calls, plan, now),
        rds: client('rds', r, calls, plan, now),
      });
      return checkReplicationBatch(targets, plan, {
        primary: inRegion(primary),
        recovery: inRegion(recovery),
        now: () => now,
      });
    },
  );
  const posture = await simulate<PostureTarget>('posture-check', plan, postureTargets(plan), (targets, calls) =>
    checkPostureBatch(targets, plan, {
      rds: client('rds', primary, calls, plan, now),
      s3: client('s3', primary, calls, plan, now),
      s3Control: client('s3control', primary, calls, plan, now),
      autoScaling: client('autoscaling', primary, calls, plan, now),
      ecs: client('ecs', primary, calls, plan, now),
      elastiCache: client('elasticache', primary, calls, plan, now),
      now: () => now,
    }),
  );
  return [replication, posture];
}

if (require.main === module) {
  benchFleetChecks()
    .then((runs) => console.log(JSON.stringify(runs, null, 2)))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
