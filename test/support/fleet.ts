/**
 * Fleet plans for the limit tests and the benchmark: N databases, each with its replica, its DR replica, its own
 * backups bucket (with its own KMS key) and a files bucket replicated to the recovery region — the shape the README
 * invites, at sizes where a per-resource list stops fitting AWS's limits.
 */
import { parsePlan, type DrPlan, type DrPlanInput } from '../../lib/plan';
import { examplePlanInput } from './plans';

/** The example plan's network of its first database, reused by every fleet database. */
function exampleNetwork(): unknown {
  const [first] = examplePlanInput().databases as { network: unknown }[];
  return first!.network;
}

/** A configured plan with `size` databases and as many backups buckets (plus one files bucket each). */
export function fleetPlanInput(size: number): DrPlanInput {
  const network = exampleNetwork();
  const account = '123456789012';
  const pad = (i: number) => String(i).padStart(4, '0');
  const databases = Array.from({ length: size }, (_, i) => ({
    id: `fleet-tenant-${pad(i)}-prod`,
    replica: `fleet-tenant-${pad(i)}-prod-replica`,
    drReplica: `fleet-tenant-${pad(i)}-prod-dr-replica`,
    backupBucket: `fleet-tenant-${pad(i)}-prod-backups`,
    kmsKeyArn: `arn:aws:kms:us-east-1:${account}:key/${pad(i)}a1b2-c3d4-e5f6-a7b8-c9d0e1f2a3b4`,
    network,
  }));
  const buckets = Array.from({ length: size }, (_, i) => [
    {
      name: `fleet-tenant-${pad(i)}-prod-backups`,
      role: 'backups',
      kmsKeyArn: `arn:aws:kms:us-east-1:${account}:key/${pad(i)}f0e1-d2c3-b4a5-9687-766554433221`,
    },
    { name: `fleet-tenant-${pad(i)}-prod-files`, role: 'files', drBucket: `fleet-tenant-${pad(i)}-prod-files-dr` },
  ]).flat();
  // A fleet restores more copies at once, and the monthly parent and the janitor's age grow with its rounds (the plan
  // refuses a parent timeout below rounds × the per-database timeout, and a janitor age not above the longest run).
  // So does the dump restore test's (rounds × the runner's 120-minute deadline plus 10 minutes to start and stop).
  const maxConcurrent = 20;
  const restoreTestMinutes = Math.ceil(size / maxConcurrent) * 180;
  const dumpRestoreTestMinutes = Math.ceil(size / maxConcurrent) * 130;
  const longest = Math.max(restoreTestMinutes, dumpRestoreTestMinutes);
  return {
    ...examplePlanInput(),
    databases,
    buckets,
    restoreTest: { maxConcurrent },
    workload: { dumpRestore: { maxConcurrent } },
    timeouts: {
      workflowMinutes: {
        snapshotRestoreTest: Math.max(240, restoreTestMinutes),
        dumpRestoreTest: Math.max(360, dumpRestoreTestMinutes),
      },
    },
    janitor: { minAgeHours: Math.max(24, Math.ceil(longest / 60) + 1) },
  } as DrPlanInput;
}

const plans = new Map<number, DrPlan>();

/** The validated fleet plan of `size` databases: one object per size, so a test file synthesizes each size once. */
export function fleetPlan(size: number): DrPlan {
  if (!plans.has(size)) plans.set(size, parsePlan(fleetPlanInput(size)));
  return plans.get(size)!;
}
