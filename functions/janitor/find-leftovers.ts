/**
 * The janitor's decision: which of this stack's RDS instances and snapshots to remove. It lists only what
 * carries our owner tag and removes only `ephemeral` resources whose run is over and that are older than the
 * plan's age, and `rotating` snapshots beyond the newest N per database. The IAM policy of the workflow
 * enforces the same tags again at delete time.
 */
import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  type DBInstance,
  type DBSnapshot,
  type RDSClient,
  type Tag,
} from '@aws-sdk/client-rds';
import type { DrPlan } from '../../lib/plan';
import { InvalidInputError, translateAwsError } from '../shared/errors';
import { tagKeys, type Lifecycle } from '../shared/naming';
import type { CheckResult } from '../shared/check-result';
import { removalsPerRun } from './run-bound';
import { HOUR_MS } from '../shared/time';
import { paginate } from '../shared/paginate';

/** Most pages read per listing (100 records a page): a bound, not a limit we expect to reach. */
export const MAX_LIST_PAGES = 100;

export interface JanitorDeps {
  readonly rds: Pick<RDSClient, 'send'>;
  /** Names of this stack's executions still running (the execution tag holds the execution name). */
  readonly runningExecutions: () => Promise<Set<string>>;
  readonly now: () => Date;
}

/** A resource the janitor removes. */
export interface Removal {
  readonly kind: 'instance' | 'snapshot';
  readonly id: string;
  readonly lifecycle: Lifecycle;
  readonly execution: string;
  readonly createdAt: string;
  readonly reason: string;
}

/** A resource of ours the janitor keeps, and why. */
export interface Kept {
  readonly kind: 'instance' | 'snapshot';
  readonly id: string;
  readonly reason: string;
}

/** What Find Leftovers decided: what this run removes, what it keeps (and why), and what waits for the next run. */
export interface Leftovers {
  /** What this run removes: at most `removalsPerRun(plan)`, oldest first. */
  readonly remove: Removal[];
  readonly kept: Kept[];
  /** A WARN naming what waits for the next run, when there is more than one run may remove; else empty. */
  readonly deferred: CheckResult[];
}

/** Ids named in the deferred result; the rest are counted. */
export const MAX_NAMED_DEFERRED = 20;

interface Owned {
  readonly kind: 'instance' | 'snapshot';
  readonly id: string;
  readonly source: string;
  readonly status: string;
  readonly lifecycle: string;
  readonly execution: string;
  readonly createdAt?: Date;
}

function tag(tags: Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

async function listInstances(deps: JanitorDeps): Promise<DBInstance[]> {
  const all: DBInstance[] = [];
  const pages = paginate({
    fetch: (marker) =>
      deps.rds
        .send(new DescribeDBInstancesCommand({ Marker: marker, MaxRecords: 100 }))
        .catch((e) => translateAwsError(e, 'rds:DescribeDBInstances', 'the region’s DB instances')),
    next: (out) => out.Marker,
    maxPages: MAX_LIST_PAGES,
    what: 'rds:DescribeDBInstances',
  });
  for await (const out of pages) all.push(...(out.DBInstances ?? []));
  return all;
}

async function listManualSnapshots(deps: JanitorDeps): Promise<DBSnapshot[]> {
  const all: DBSnapshot[] = [];
  const pages = paginate({
    fetch: (marker) =>
      deps.rds
        .send(new DescribeDBSnapshotsCommand({ SnapshotType: 'manual', Marker: marker, MaxRecords: 100 }))
        .catch((e) => translateAwsError(e, 'rds:DescribeDBSnapshots', 'the region’s manual DB snapshots')),
    next: (out) => out.Marker,
    maxPages: MAX_LIST_PAGES,
    what: 'rds:DescribeDBSnapshots (manual)',
  });
  for await (const out of pages) all.push(...(out.DBSnapshots ?? []));
  return all;
}

/** Lists this stack's resources and decides, for each, remove or keep. */
export async function findLeftovers(
  input: { ownerStack: string },
  plan: DrPlan,
  deps: JanitorDeps,
): Promise<Leftovers> {
  if (!input || typeof input.ownerStack !== 'string' || input.ownerStack.length === 0) {
    throw new InvalidInputError(
      'ownerStack must be the stack name whose resources the janitor cleans: the janitor workflow passes it',
    );
  }
  const keys = tagKeys(plan);
  const [instances, snapshots, running] = await Promise.all([
    listInstances(deps),
    listManualSnapshots(deps),
    deps.runningExecutions(),
  ]);
  const owned: Owned[] = [];
  for (const i of instances) {
    if (tag(i.TagList, keys.owner) !== input.ownerStack || !i.DBInstanceIdentifier) continue;
    owned.push({
      kind: 'instance',
      id: i.DBInstanceIdentifier,
      source: i.ReadReplicaSourceDBInstanceIdentifier ?? i.DBInstanceIdentifier,
      status: i.DBInstanceStatus ?? 'unknown',
      lifecycle: tag(i.TagList, keys.lifecycle) ?? '',
      execution: tag(i.TagList, keys.execution) ?? '',
      createdAt: i.InstanceCreateTime,
    });
  }
  for (const s of snapshots) {
    if (tag(s.TagList, keys.owner) !== input.ownerStack || !s.DBSnapshotIdentifier) continue;
    owned.push({
      kind: 'snapshot',
      id: s.DBSnapshotIdentifier,
      source: s.DBInstanceIdentifier ?? '',
      status: s.Status ?? 'unknown',
      lifecycle: tag(s.TagList, keys.lifecycle) ?? '',
      execution: tag(s.TagList, keys.execution) ?? '',
      createdAt: s.SnapshotCreateTime,
    });
  }

  const now = deps.now().getTime();
  const minAgeMs = plan.janitor.minAgeHours * HOUR_MS;
  const remove: Removal[] = [];
  const kept: Kept[] = [];
  const removal = (r: Owned, lifecycle: Lifecycle, reason: string): Removal => ({
    kind: r.kind,
    id: r.id,
    lifecycle,
    execution: r.execution,
    createdAt: r.createdAt?.toISOString() ?? '',
    reason,
  });
  const busy = (r: Owned): string | undefined => {
    if (r.execution && running.has(r.execution)) return `its run ${r.execution} is still running`;
    if (r.kind === 'instance' && r.status === 'deleting') return 'it is already being deleted';
    if (r.kind === 'snapshot' && r.status !== 'available') return `it is ${r.status}, not available`;
    return undefined;
  };

  for (const r of owned.filter((o) => o.lifecycle === 'ephemeral')) {
    const ageMs = r.createdAt ? now - r.createdAt.getTime() : 0;
    const why =
      busy(r) ??
      (ageMs < minAgeMs
        ? `it is ${(ageMs / HOUR_MS).toFixed(1)} h old, younger than ${plan.janitor.minAgeHours} h`
        : undefined);
    if (why) kept.push({ kind: r.kind, id: r.id, reason: why });
    else remove.push(removal(r, 'ephemeral', `ephemeral, ${(ageMs / HOUR_MS).toFixed(1)} h old, run over`));
  }

  const keep = plan.janitor.keepEmergencySnapshots;
  const rotatingBySource = new Map<string, Owned[]>();
  for (const r of owned.filter((o) => o.kind === 'snapshot' && o.lifecycle === 'rotating')) {
    rotatingBySource.set(r.source, [...(rotatingBySource.get(r.source) ?? []), r]);
  }
  for (const [source, group] of rotatingBySource) {
    group.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
    for (const [index, r] of group.entries()) {
      if (index < keep) {
        kept.push({
          kind: r.kind,
          id: r.id,
          reason: `one of the newest ${keep} emergency snapshots of ${source}`,
        });
        continue;
      }
      const why = busy(r);
      if (why) {
        kept.push({ kind: r.kind, id: r.id, reason: why });
        continue;
      }
      remove.push(
        removal(
          r,
          'rotating',
          `emergency snapshot ${index + 1} of ${group.length} of ${source}, beyond the newest ${keep}`,
        ),
      );
    }
  }

  for (const r of owned.filter((o) => o.lifecycle !== 'ephemeral' && o.lifecycle !== 'rotating')) {
    kept.push({
      kind: r.kind,
      id: r.id,
      reason: r.lifecycle === 'retained' ? 'retained' : `lifecycle "${r.lifecycle}" is not one the janitor removes`,
    });
  }
  for (const r of owned.filter((o) => o.kind === 'instance' && o.lifecycle === 'rotating')) {
    kept.push({ kind: r.kind, id: r.id, reason: 'only snapshots rotate; an instance marked rotating is kept' });
  }
  return { ...boundRemovals(remove, removalsPerRun(plan)), kept };
}

/** The oldest `bound` removals for this run; the others named (up to MAX_NAMED_DEFERRED) in one WARN. */
function boundRemovals(all: Removal[], bound: number): { remove: Removal[]; deferred: CheckResult[] } {
  if (all.length <= bound) return { remove: all, deferred: [] };
  const byAge = [...all].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const remove = byAge.slice(0, bound);
  const waiting = byAge.slice(bound);
  if (waiting.length === 0) return { remove, deferred: [] };
  const named = waiting.slice(0, MAX_NAMED_DEFERRED).map((r) => r.id);
  const more = waiting.length - named.length;
  return {
    remove,
    deferred: [
      {
        check: 'janitor-deferred',
        target: 'leftovers',
        status: 'WARN',
        observed: waiting.length,
        threshold: bound,
        detail: `${waiting.length} leftovers wait for the next run (a run removes at most ${bound} within its timeout): ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
      },
    ],
  };
}
