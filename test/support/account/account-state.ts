/**
 * The account model's state and what tests read from it: the per-service models, the clock and its
 * scheduled events, per-region contexts, injected faults, and the inspectors.
 */
import { EcsModel } from './ecs';
import { ModelRejectedCall } from './errors';
import { RdsModel } from './rds';
import {
  type AutomatedBackupState,
  type Ctx,
  type DbInstanceState,
  type DbSnapshotState,
  DEFAULT_DURATIONS,
  type Durations,
  newRdsRegion,
  type RdsRegion,
} from './rds-state';
import type { S3Object } from './s3';
import { ConfiguredS3Model } from './s3-configuration';
import { S3ControlModel } from './s3-control';
import { MetricsCloudWatchModel } from './cloudwatch-metrics';
import { ArcClusterModel } from './route53-recovery-cluster';
import { SecretsManagerModel } from './secrets-manager';
import type { ServiceName } from './schema';
import { type Alarm, DynamoModel, type Execution, SfnModel, type SnsMessage, SnsModel } from './services';
import { type CallRecord, type Fault, type FaultSpec, type Refusal, SERVICE_ALIASES } from './model-routing';

interface Scheduled {
  at: number;
  seq: number;
  run: () => void;
}

/** The state half of `AccountModel` (model.ts), which adds the calls and the seeding. */
export abstract class AccountState {
  readonly account: string;
  readonly regions: string[];
  readonly durations: Durations = { ...DEFAULT_DURATIONS };
  readonly calls: CallRecord[] = [];
  readonly refusals: Refusal[] = [];
  readonly rds: RdsModel;
  readonly s3 = new ConfiguredS3Model();
  readonly s3control = new S3ControlModel();
  readonly sns = new SnsModel();
  readonly dynamodb = new DynamoModel();
  readonly cloudwatch = new MetricsCloudWatchModel();
  readonly sfn = new SfnModel();
  readonly ecs = new EcsModel();
  readonly secretsmanager = new SecretsManagerModel();
  readonly route53recoverycluster = new ArcClusterModel();
  /** Regions whose endpoints nobody can connect to (`setRegionReachable`). */
  protected readonly unreachableRegions = new Set<string>();

  protected clock: number;
  protected seq = 0;
  protected queue: Scheduled[] = [];
  protected faults: Fault[] = [];
  protected readonly rdsRegions = new Map<string, RdsRegion>();
  protected current?: { via: 'sfn' | 'sdk'; region: string; service: string; action: string };

  constructor(options: { account?: string; regions?: string[]; now?: Date } = {}) {
    this.account = options.account ?? '123456789012';
    this.regions = options.regions ?? ['us-east-1', 'us-west-2'];
    this.clock = (options.now ?? new Date('2025-11-10T03:00:00Z')).getTime();
    for (const r of this.regions) this.rdsRegions.set(r, newRdsRegion(r));
    this.rds = new RdsModel(
      (r) => this.rdsRegion(r),
      () => this.regions,
    );
  }

  // ---- clock -------------------------------------------------------------------------------------

  now(): Date {
    return new Date(this.clock);
  }

  /** Moves the clock; every status transition due by then happens, in order. */
  advance(seconds: number): void {
    if (!(seconds >= 0) || !Number.isFinite(seconds))
      throw new Error(`advance() needs a finite number of seconds >= 0, not ${seconds}`);
    const target = this.clock + seconds * 1000;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.queue[0];
      if (!next || next.at > target) break;
      this.queue.shift();
      this.clock = Math.max(this.clock, next.at);
      next.run();
    }
    this.clock = target;
  }

  protected schedule(seconds: number, run: () => void): void {
    if (!Number.isFinite(seconds)) return; // Infinity: never happens.
    this.queue.push({ at: this.clock + seconds * 1000, seq: this.seq++, run });
  }

  // ---- contexts ----------------------------------------------------------------------------------

  protected rdsRegion(region: string): RdsRegion {
    const r = this.rdsRegions.get(region);
    if (!r) throw new ModelRejectedCall(`region ${region} is not in this model (${this.regions.join(', ')})`);
    return r;
  }

  protected ctx(region: string): Ctx {
    this.rdsRegion(region);
    return {
      region,
      account: this.account,
      now: () => this.now(),
      schedule: (s, fn) => this.schedule(s, fn),
      refuse: (message) => {
        const c = this.current ?? { via: 'sdk' as const, region, service: '?', action: '?' };
        this.refusals.push({ ...c, message });
      },
      durations: this.durations,
    };
  }

  // ---- faults ------------------------------------------------------------------------------------

  injectFault(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.times ?? Infinity });
  }

  clearFaults(): void {
    this.faults = [];
  }

  protected takeFault(via: 'sfn' | 'sdk', service: ServiceName, op: string): Fault | undefined {
    const f = this.faults.find(
      (x) =>
        x.remaining > 0 &&
        (x.via === undefined || x.via === via) &&
        (x.service === undefined || SERVICE_ALIASES[x.service.toLowerCase()] === service) &&
        (x.action === undefined || x.action.toLowerCase() === op.toLowerCase()),
    );
    if (f) f.remaining -= 1;
    return f;
  }

  // ---- inspectors ----------------------------------------------------------------------------------

  dbInstance(region: string, id: string): DbInstanceState | undefined {
    return this.rdsRegion(region).instances.get(id);
  }

  dbInstances(region: string): DbInstanceState[] {
    return [...this.rdsRegion(region).instances.values()];
  }

  dbSnapshots(region: string): DbSnapshotState[] {
    return [...this.rdsRegion(region).snapshots.values()];
  }

  automatedBackups(region: string): AutomatedBackupState[] {
    return [...this.rdsRegion(region).backups];
  }

  /** The point in time a PITR copy was restored to. */
  restoredTo(region: string, id: string): Date | undefined {
    const i = this.dbInstance(region, id);
    return i ? this.rds.restoredTo.get(i) : undefined;
  }

  /** The current version of every object, in key order. */
  objects(bucket: string): S3Object[] {
    const b = this.s3.buckets.get(bucket);
    if (!b) throw new Error(`objects: no bucket ${bucket}`);
    return [...b.objects.keys()].sort().map((k) => {
      const v = b.objects.get(k)!;
      return v[v.length - 1];
    });
  }

  objectVersions(bucket: string, key: string): S3Object[] {
    return [...(this.s3.buckets.get(bucket)?.objects.get(key) ?? [])];
  }

  snsMessages(topicArn?: string): SnsMessage[] {
    return this.sns.messages.filter((m) => topicArn === undefined || m.TopicArn === topicArn);
  }

  tableItems(region: string, name: string): Array<Record<string, unknown>> {
    return [...(this.dynamodb.tables.get(`${region}/${name}`)?.items.values() ?? [])];
  }

  alarm(region: string, name: string): Alarm | undefined {
    return this.cloudwatch.alarms.get(`${region}/${name}`);
  }

  /** Task tokens of waiting `.waitForTaskToken` tasks; `taskTokens.at(when, fn)` schedules a callback. */
  get taskTokens(): SfnModel['taskTokens'] {
    return this.sfn.taskTokens;
  }

  get executions(): Execution[] {
    return [...this.sfn.executions.values()];
  }

  get metricData(): MetricsCloudWatchModel['metricData'] {
    return this.cloudwatch.metricData;
  }

  /** How many calls (both paths, failed ones included) reached `service` `action`. */
  callCount(service: string, action: string): number {
    const s = SERVICE_ALIASES[service.toLowerCase()] ?? service;
    return this.calls.filter((c) => c.service === s && c.action.toLowerCase() === action.toLowerCase()).length;
  }
}
