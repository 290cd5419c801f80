/**
 * Readiness check 1: could each database's DR replica be promoted now, in the recovery region, without the primary
 * region? Reads only the recovery region: `DescribeDBInstances` by identifier (IAM scoped to the DR replicas) and
 * `ReplicaLag` through `GetMetricData`.
 *
 * API facts relied on (RDS API Reference, DBInstance; RDS User Guide, "Promoting a read replica"; DESIGN §8):
 * - a replica is promotable only while `available`: one `backing-up` (or in any other state) cannot be promoted;
 * - `ReadReplicaSourceDBInstanceIdentifier` of a cross-region replica is the source's ARN; empty once the replica
 *   has been promoted (it is then a standalone instance: the failover has happened, or someone broke replication);
 * - the failover's validator connects with IAM database authentication (`IAMDatabaseAuthenticationEnabled`);
 * - `AWS/RDS ReplicaLag {DBInstanceIdentifier}` is in seconds, published each minute in the replica's region; a
 *   negative value means replication is not running.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { type DBInstance, DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import type { DrPlan, PlanDatabase } from '../../lib/plan';
import { type CheckResult, type CheckStatus, statusForUpperBound, worstStatus } from '../shared/check-result';
import { awsErrorName, InvalidInputError, isAccessDenied, translateAwsError } from '../shared/errors';
import { mapLimit } from '../shared/map-limit';
import { type Datapoint, readMetrics } from '../shared/metric-data';
import { MINUTE_MS } from '../shared/time';

/** What the check needs: RDS and CloudWatch in the recovery region, and the clock. */
export interface DrReplicaDeps {
  readonly recoveryRds: Pick<RDSClient, 'send'>;
  readonly recoveryCloudWatch: Pick<CloudWatchClient, 'send'>;
  readonly now: () => Date;
}

const CHECK = 'dr-replica-promotable';
/** The window `ReplicaLag` is read over, at one-minute datapoints. */
const LAG_WINDOW_MS = 5 * MINUTE_MS;
/** Replicas described at once. */
const DESCRIBE_CONCURRENCY = 10;

type Described = { instance?: DBInstance } | { unreadable: string };

/** One replica, described by its identifier: the call IAM can scope to the DR replicas themselves. */
async function describe(rds: DrReplicaDeps['recoveryRds'], id: string, region: string): Promise<Described> {
  try {
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    return { instance: out.DBInstances?.[0] };
  } catch (error) {
    if (awsErrorName(error) === 'DBInstanceNotFoundFault') return {};
    if (isAccessDenied(error))
      return { unreadable: `the function's role needs rds:DescribeDBInstances on ${id} in ${region}` };
    return translateAwsError(error, 'rds:DescribeDBInstances', `${id} in ${region}`);
  }
}

type Lag = { points: Datapoint[] } | { unreadable: string };

/** Every replica's `ReplicaLag` of the last five minutes, in one shared read; a denial is every replica's answer. */
async function readLag(deps: DrReplicaDeps, ids: readonly string[], region: string): Promise<Lag[]> {
  const end = deps.now();
  const start = new Date(end.getTime() - LAG_WINDOW_MS);
  try {
    const series = await readMetrics(
      deps.recoveryCloudWatch,
      ids.map((id) => ({
        namespace: 'AWS/RDS',
        metricName: 'ReplicaLag',
        dimensions: { DBInstanceIdentifier: id },
        period: 60,
        stat: 'Maximum' as const,
      })),
      start,
      end,
      region,
    );
    return series.map((points) => ({ points }));
  } catch (error) {
    if (!isAccessDenied(error)) translateAwsError(error, 'cloudwatch:GetMetricData', region);
    return ids.map(() => ({ unreadable: `the function's role needs cloudwatch:GetMetricData in ${region}` }));
  }
}

/** Whether `source` is the ARN of database `db` in `region`, in the replica's own account. */
function isSourceArn(source: string, db: string, region: string, replicaArn: string | undefined): boolean {
  const parts = source.split(':');
  const account = replicaArn?.split(':')[4];
  return (
    parts[0] === 'arn' &&
    parts[2] === 'rds' &&
    parts[3] === region &&
    (!account || parts[4] === account) &&
    parts[5] === 'db' &&
    (parts[6] ?? '').toLowerCase() === db.toLowerCase()
  );
}

const round1 = (n: number) => Math.round(n * 10) / 10;

interface Finding {
  readonly status: CheckStatus;
  readonly text: string;
}

function lagFinding(lag: Lag, rpoMinutes: number): { finding: Finding; minutes: number | null } {
  if ('unreadable' in lag)
    return { finding: { status: 'FAIL', text: `its lag is unknown: ${lag.unreadable}` }, minutes: null };
  if (lag.points.length === 0) {
    return {
      finding: {
        status: 'WARN',
        text: 'published no ReplicaLag in the last 5 minutes: check that it is running and replicating',
      },
      minutes: null,
    };
  }
  if (lag.points.some((p) => p.value < 0)) {
    return {
      finding: {
        status: 'FAIL',
        text: 'reported a negative ReplicaLag in the last 5 minutes: replication is not running; check its RDS events',
      },
      minutes: null,
    };
  }
  const seconds = Math.max(...lag.points.map((p) => p.value));
  const minutes = round1(seconds / 60);
  const status = statusForUpperBound(seconds / 60, rpoMinutes / 2, rpoMinutes);
  const text =
    status === 'PASS'
      ? `lags at most ${minutes} min, within half the region-failure RPO of ${rpoMinutes} min`
      : status === 'WARN'
        ? `lags ${minutes} min, past half the region-failure RPO of ${rpoMinutes} min`
        : `lags ${minutes} min, beyond the region-failure RPO of ${rpoMinutes} min: a failover now would lose more data than the plan allows`;
  return { finding: { status, text }, minutes };
}

function judge(db: PlanDatabase & { drReplica: string }, described: Described, lag: Lag, plan: DrPlan): CheckResult {
  const { primary, recovery } = plan.regions;
  const rpo = plan.recoveryTargets.regionFailure.rpoMinutes;
  const id = db.drReplica;
  const base = { check: CHECK, target: id, threshold: `available, from ${db.id}, lag ≤ ${rpo} min` };
  if ('unreadable' in described) {
    return {
      ...base,
      status: 'FAIL',
      observed: null,
      detail: `cannot describe DR replica ${id}: ${described.unreadable}`,
    };
  }
  const instance = described.instance;
  if (!instance) {
    return {
      ...base,
      status: 'FAIL',
      observed: 'missing',
      detail: `DR replica ${id} of ${db.id} does not exist in ${recovery}: there is nothing to promote; recreate it or fix databases[].drReplica in the DR plan`,
    };
  }
  const state = instance.DBInstanceStatus ?? 'unknown';
  const findings: Finding[] = [];
  if (state !== 'available') {
    findings.push({
      status: 'FAIL',
      text: `is ${state}, and only an available replica can be promoted${state === 'backing-up' ? ' (a backing-up replica cannot)' : ''}`,
    });
  }
  const source = instance.ReadReplicaSourceDBInstanceIdentifier;
  if (!source) {
    findings.push({
      status: 'FAIL',
      text: 'replicates from nothing: it has already been promoted (a standalone instance), so there is no replica to fail over to',
    });
  } else if (!isSourceArn(source, db.id, primary, instance.DBInstanceArn)) {
    findings.push({ status: 'FAIL', text: `replicates from ${source}, not ${db.id} in ${primary}` });
  }
  if (!instance.IAMDatabaseAuthenticationEnabled) {
    findings.push({
      status: 'FAIL',
      text: 'has IAM database authentication off: the failover could not validate it after promotion; enable it (ModifyDBInstance EnableIAMDatabaseAuthentication)',
    });
  }
  const { finding, minutes } = lagFinding(lag, rpo);
  findings.push(finding);
  const status = worstStatus(findings);
  const shown = findings.filter((f) => f.status !== 'PASS' || status === 'PASS');
  return {
    ...base,
    status,
    observed: minutes === null ? state : `${state}, lag ${minutes} min`,
    detail: `DR replica ${id} of ${db.id} in ${recovery} ${status === 'PASS' ? `is available, replicates from ${db.id} in ${primary} and ` : ''}${shown.map((f) => f.text).join('; ')}`,
  };
}

/**
 * One result per database of `ids` (each a plan database with a DR replica): its DR replica, described and its lag
 * read in the recovery region. An id the plan does not give a DR replica is refused before any AWS call.
 */
export async function checkDrReplicas(
  ids: readonly string[],
  plan: DrPlan,
  deps: DrReplicaDeps,
): Promise<CheckResult[]> {
  const dbs = ids.map((id) => {
    const db = plan.databases.find((d) => d.id === id);
    if (!db?.drReplica) {
      throw new InvalidInputError(
        `database "${String(id)}" has no DR replica in the plan: name a database of plan.databases that has a drReplica`,
      );
    }
    return { ...db, drReplica: db.drReplica };
  });
  if (dbs.length === 0) return [];
  const region = plan.regions.recovery;
  const [described, lags] = await Promise.all([
    mapLimit(dbs, DESCRIBE_CONCURRENCY, (db) => describe(deps.recoveryRds, db.drReplica, region)),
    readLag(
      deps,
      dbs.map((db) => db.drReplica),
      region,
    ),
  ]);
  return dbs.map((db, i) => judge(db, described[i], lags[i], plan));
}
