/**
 * Weekly backup verification, database side: how old is the newest snapshot of a database in its own region,
 * and how old is the newest point it could be restored to in the recovery region.
 *
 * Field names follow the RDS API reference (JavaScript SDK member names):
 * - `DBSnapshot.SnapshotCreateTime` "changes for the copy when the snapshot is copied";
 *   `OriginalSnapshotCreateTime` "doesn't change when the snapshot is copied" — so the age of the data is
 *   taken from `OriginalSnapshotCreateTime` when present (a fresh copy of an old snapshot is still old).
 * - A cross-Region copy keeps the source's `DBInstanceIdentifier`; `SourceRegion` is "the Region that the DB
 *   snapshot was created in or copied from" and `SourceDBSnapshotIdentifier` is "the DB snapshot ARN that the
 *   DB snapshot was copied from" (set only for cross-account or cross-Region copies).
 * - `DescribeDBSnapshots.DBInstanceIdentifier` "must match the identifier of an existing DBInstance", so in the
 *   recovery region (where the source does not exist) the `db-instance-id` filter is used instead.
 * - Replicated automated backups (`DescribeDBInstanceAutomatedBackups` in the destination region) carry the
 *   source's `DBInstanceIdentifier` and `DBInstanceArn`, their own `DBInstanceAutomatedBackupsArn`, and the
 *   restorable range in `RestoreWindow.EarliestTime/LatestTime`.
 */
import {
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  type DBInstanceAutomatedBackup,
  type DBSnapshot,
  type DescribeDBSnapshotsCommandInput,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { DrPlan, PlanDatabase } from '../../lib/plan';
import { statusForUpperBound, type CheckResult } from '../shared/check-result';
import { awsErrorName, isAccessDenied, translateAwsError } from '../shared/errors';
import { HOUR_MS, MINUTE_MS } from '../shared/time';
import { paginate } from '../shared/paginate';

/** What `checkSnapshotAge` needs: an RDS client in each region of the plan, and the clock. */
export interface SnapshotAgeDeps {
  /** RDS client in `plan.regions.primary`. */
  readonly primaryRds: Pick<RDSClient, 'send'>;
  /** RDS client in `plan.regions.recovery`. */
  readonly recoveryRds: Pick<RDSClient, 'send'>;
  readonly now: () => Date;
}

/** Pages read per listing at most (100 records each): a bound, not an expected cost. */
const MAX_PAGES = 50;

/** The outcome of one listing: its items, or the reason it could not be read. */
type Listing<T> = { items: T[] } | { denied: string } | { notFound: string };

const isInstanceNotFound = (error: unknown) =>
  ['DBInstanceNotFoundFault', 'DBInstanceNotFound'].includes(awsErrorName(error) ?? '');

/** When the snapshot's data was taken: the original time for copies (see the module comment). */
function snapshotTime(s: DBSnapshot): Date | undefined {
  return s.OriginalSnapshotCreateTime ?? s.SnapshotCreateTime;
}

function hours(ms: number): number {
  return Math.round((ms / HOUR_MS) * 10) / 10;
}

function newest<T>(items: readonly T[], time: (item: T) => Date | undefined): { item: T; time: Date } | undefined {
  let best: { item: T; time: Date } | undefined;
  for (const item of items) {
    const t = time(item);
    if (t && (!best || t.getTime() > best.time.getTime())) best = { item, time: t };
  }
  return best;
}

async function listSnapshots(
  rds: Pick<RDSClient, 'send'>,
  input: DescribeDBSnapshotsCommandInput,
  where: string,
): Promise<Listing<DBSnapshot>> {
  const items: DBSnapshot[] = [];
  try {
    const pages = paginate({
      fetch: (marker) => rds.send(new DescribeDBSnapshotsCommand({ ...input, Marker: marker })),
      next: (out) => out.Marker,
      maxPages: MAX_PAGES,
      what: `rds:DescribeDBSnapshots in ${where}`,
    });
    for await (const out of pages) items.push(...(out.DBSnapshots ?? []));
  } catch (error) {
    if (isAccessDenied(error)) return { denied: 'rds:DescribeDBSnapshots' };
    if (isInstanceNotFound(error))
      return { notFound: `DB instance ${input.DBInstanceIdentifier ?? ''} was not found in ${where}` };
    translateAwsError(error, 'rds:DescribeDBSnapshots', where);
  }
  return { items };
}

/**
 * The source instance's `DbiResourceId`, read in the primary region. Replicated automated backups in the recovery
 * region belong to an instance that does not exist there: a `db-instance-id` filter names an instance of the
 * region called, so it finds nothing; the backups carry the source's resource id (`dbi-resource-id`).
 */
async function sourceResourceId(
  rds: Pick<RDSClient, 'send'>,
  dbId: string,
  where: string,
): Promise<{ id?: string } | { denied: string }> {
  try {
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: dbId }));
    return { id: out.DBInstances?.[0]?.DbiResourceId };
  } catch (error) {
    if (isAccessDenied(error)) return { denied: `rds:DescribeDBInstances in ${where}` };
    // No source instance: nothing can be replicating from it (snapshot-age reports the missing instance).
    if (isInstanceNotFound(error)) return {};
    translateAwsError(error, 'rds:DescribeDBInstances', where);
  }
}

/** Every automated backup of `dbiResourceId` in the client's region (bounded pages); a denial is returned, not thrown. */
export async function listAutomatedBackups(
  rds: Pick<RDSClient, 'send'>,
  dbiResourceId: string,
  where: string,
): Promise<Listing<DBInstanceAutomatedBackup>> {
  const items: DBInstanceAutomatedBackup[] = [];
  try {
    const pages = paginate({
      fetch: (marker) =>
        rds.send(
          new DescribeDBInstanceAutomatedBackupsCommand({
            Filters: [{ Name: 'dbi-resource-id', Values: [dbiResourceId] }],
            Marker: marker,
          }),
        ),
      next: (out) => out.Marker,
      maxPages: MAX_PAGES,
      what: `rds:DescribeDBInstanceAutomatedBackups in ${where}`,
    });
    for await (const out of pages) items.push(...(out.DBInstanceAutomatedBackups ?? []));
  } catch (error) {
    if (isAccessDenied(error)) return { denied: 'rds:DescribeDBInstanceAutomatedBackups' };
    // No automated backups of that instance in this region: nothing replicated.
    if (awsErrorName(error) === 'DBInstanceAutomatedBackupNotFoundFault') return { items: [] };
    translateAwsError(error, 'rds:DescribeDBInstanceAutomatedBackups', where);
  }
  return { items };
}

/** The region segment of an ARN (`arn:aws:rds:us-east-1:…`), or undefined. */
function arnRegion(arn: string | undefined): string | undefined {
  return arn?.split(':')[3] || undefined;
}

function sameId(a: string | undefined, b: string): boolean {
  return (a ?? '').toLowerCase() === b.toLowerCase();
}

/** A snapshot in the recovery region that was copied from this database's snapshot in the primary region. */
function isCopyOf(s: DBSnapshot, dbId: string, primaryRegion: string): boolean {
  if (!sameId(s.DBInstanceIdentifier, dbId)) return false;
  return s.SourceRegion === primaryRegion || arnRegion(s.SourceDBSnapshotIdentifier) === primaryRegion;
}

/** Automated backups of this database, replicated from the primary region. */
function isReplicationOf(b: DBInstanceAutomatedBackup, dbId: string, primaryRegion: string): boolean {
  if (!sameId(b.DBInstanceIdentifier, dbId)) return false;
  return arnRegion(b.DBInstanceArn) === primaryRegion || b.Region === primaryRegion;
}

/** Replicated automated backups of the source instance in the recovery region, found by its resource id. */
async function replicatedBackups(deps: SnapshotAgeDeps, dbId: string, primary: string, recovery: string) {
  const source = await sourceResourceId(deps.primaryRds, dbId, primary);
  if ('denied' in source) return source;
  if (!source.id) return { items: [] };
  return listAutomatedBackups(deps.recoveryRds, source.id, recovery);
}

function describeStates(snapshots: readonly DBSnapshot[]): string {
  const counts = new Map<string, number>();
  for (const s of snapshots) counts.set(s.Status ?? 'unknown', (counts.get(s.Status ?? 'unknown') ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}

function snapshotAgeResult(db: PlanDatabase, plan: DrPlan, listing: Listing<DBSnapshot>, now: Date): CheckResult {
  const { maxAgeHours, warnAtFraction } = plan.backups.verification;
  const where = plan.regions.primary;
  const base = { check: 'snapshot-age', target: db.id, threshold: maxAgeHours };
  if ('denied' in listing) {
    return {
      ...base,
      status: 'FAIL',
      observed: null,
      detail: `cannot list snapshots of ${db.id} in ${where}: the function's role needs ${listing.denied}`,
    };
  }
  if ('notFound' in listing) {
    return {
      ...base,
      status: 'FAIL',
      observed: null,
      detail: `${listing.notFound}: check databases[].id in the DR plan`,
    };
  }
  const available = listing.items.filter((s) => s.Status === 'available');
  const best = newest(available, snapshotTime);
  if (!best) {
    const others = listing.items.length
      ? `: only snapshots that are not yet usable exist (${describeStates(listing.items)}); wait for them or check the backup configuration`
      : ': check that automated backups are enabled (backup retention above 0)';
    return {
      ...base,
      status: 'FAIL',
      observed: null,
      detail: `no available snapshot of ${db.id} in ${where}${others}`,
    };
  }
  const ageMs = now.getTime() - best.time.getTime();
  const status = statusForUpperBound(ageMs / HOUR_MS, maxAgeHours * warnAtFraction, maxAgeHours);
  const id = best.item.DBSnapshotIdentifier ?? 'unknown';
  const kind = best.item.SnapshotType ?? 'unknown';
  const verdict =
    status === 'PASS'
      ? `within ${maxAgeHours} hours`
      : status === 'WARN'
        ? `past ${Math.round(warnAtFraction * 100)}% of the ${maxAgeHours}-hour limit: check that tonight's backup runs`
        : `older than ${maxAgeHours} hours: check the backup window and recent RDS events of ${db.id}`;
  return {
    ...base,
    status,
    observed: hours(ageMs),
    detail: `newest available snapshot ${id} (${kind}) of ${db.id} was taken ${best.time.toISOString()}, ${hours(ageMs)} hours ago: ${verdict}`,
  };
}

function recoveryResults(
  db: PlanDatabase,
  plan: DrPlan,
  copies: Listing<DBSnapshot>,
  replicated: Listing<DBInstanceAutomatedBackup>,
  now: Date,
): CheckResult[] {
  const { maxAgeHours, warnAtFraction } = plan.backups.verification;
  const { primary, recovery } = plan.regions;
  const target = `${db.id}@${recovery}`;
  const base = { check: 'recovery-point-age', target, threshold: maxAgeHours };
  const denied = [copies, replicated].flatMap((l) => ('denied' in l ? [l.denied] : []));
  if (denied.length) {
    return [
      {
        ...base,
        status: 'FAIL',
        observed: null,
        detail: `cannot see the recovery points of ${db.id} in ${recovery}: the function's role needs ${denied.join(' and ')} in ${recovery}`,
      },
    ];
  }
  const copyItems = 'items' in copies ? copies.items : [];
  const backupItems = 'items' in replicated ? replicated.items : [];
  const copy = newest(
    copyItems.filter((s) => s.Status === 'available' && isCopyOf(s, db.id, primary)),
    snapshotTime,
  );
  const ours = backupItems.filter((b) => isReplicationOf(b, db.id, primary));
  const replica = newest(ours, (b) => b.RestoreWindow?.LatestTime);

  const results: CheckResult[] = [];
  const candidates = [
    copy && { time: copy.time, what: `snapshot copy ${copy.item.DBSnapshotIdentifier ?? 'unknown'}` },
    replica && {
      time: replica.time,
      what: `replicated automated backups ${replica.item.DBInstanceAutomatedBackupsArn ?? 'unknown'}`,
    },
  ].filter((c): c is { time: Date; what: string } => Boolean(c));
  const best = newest(candidates, (c) => c.time);
  if (!best) {
    const pending = ours.length
      ? ` (replicated automated backups exist but have no restorable point yet: status ${ours.map((b) => b.Status ?? 'unknown').join(', ')})`
      : '';
    results.push({
      ...base,
      status: 'FAIL',
      observed: null,
      detail: `neither a snapshot copy nor replicated automated backups of ${db.id} exist in ${recovery}${pending}: copy snapshots to ${recovery} or start automated backup replication`,
    });
  } else {
    const ageMs = now.getTime() - best.time.getTime();
    const status = statusForUpperBound(ageMs / HOUR_MS, maxAgeHours * warnAtFraction, maxAgeHours);
    const advice =
      status === 'PASS' ? '' : `: check the snapshot copy or backup replication from ${primary} to ${recovery}`;
    results.push({
      ...base,
      status,
      observed: hours(ageMs),
      detail: `newest restorable point of ${db.id} in ${recovery} is ${best.time.toISOString()} (${best.item.what}), ${hours(ageMs)} hours ago${advice}`,
    });
  }

  if (ours.length) {
    const rpo = plan.recoveryTargets.regionFailure.rpoMinutes;
    const lagBase = { check: 'replicated-backup-lag', target, threshold: rpo };
    if (!replica) {
      results.push({
        ...lagBase,
        status: 'FAIL',
        observed: null,
        detail: `replicated automated backups of ${db.id} in ${recovery} have no restore window yet (status ${ours.map((b) => b.Status ?? 'unknown').join(', ')}): wait for the first replicated snapshot`,
      });
    } else {
      const lagMs = now.getTime() - replica.time.getTime();
      const lagMinutes = Math.round((lagMs / MINUTE_MS) * 10) / 10;
      const status = statusForUpperBound(lagMs / MINUTE_MS, rpo, rpo);
      const state = replica.item.Status ? ` (status ${replica.item.Status})` : '';
      const verdict =
        status === 'PASS'
          ? `within the region-failure RPO of ${rpo} minutes`
          : `beyond the region-failure RPO of ${rpo} minutes: check that backup replication to ${recovery} is running`;
      results.push({
        ...lagBase,
        status,
        observed: lagMinutes,
        detail: `replicated automated backups of ${db.id}${state} restore up to ${replica.time.toISOString()}, ${lagMinutes} minutes ago: ${verdict}`,
      });
    }
  }
  return results;
}

/**
 * The weekly snapshot checks of one database: `snapshot-age` (newest available snapshot in the primary region),
 * `recovery-point-age` (newest restorable point in the recovery region: a copied snapshot or replicated
 * automated backups) and, where automated backups are replicated, `replicated-backup-lag` against the
 * region-failure RPO. A missing permission or instance is a FAIL naming it; persistent throttling throws
 * `ThrottledError`.
 */
export async function checkSnapshotAge(db: PlanDatabase, plan: DrPlan, deps: SnapshotAgeDeps): Promise<CheckResult[]> {
  const { primary, recovery } = plan.regions;
  const [own, copies, replicated] = await Promise.all([
    listSnapshots(deps.primaryRds, { DBInstanceIdentifier: db.id }, primary),
    listSnapshots(
      deps.recoveryRds,
      { SnapshotType: 'manual', Filters: [{ Name: 'db-instance-id', Values: [db.id] }] },
      recovery,
    ),
    replicatedBackups(deps, db.id, primary, recovery),
  ]);
  const now = deps.now();
  return [snapshotAgeResult(db, plan, own, now), ...recoveryResults(db, plan, copies, replicated, now)];
}
