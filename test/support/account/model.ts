/**
 * An in-memory, per-region model of an AWS account for workflow tests (DESIGN.md §6 layer 4).
 *
 * Two entry points speak the two casings AWS has (see names.ts for the rules and their sources):
 * - `sfnCall(region, resource, params)`: a Step Functions Task. AWS SDK integrations
 *   (`arn:aws:states:::aws-sdk:rds:describeDBInstances`) take and return the Java SDK's member names
 *   (`DbInstanceIdentifier`, `DbInstances[0].DbInstanceStatus`) and fail with `Rds.DbInstanceNotFoundException`;
 *   optimized integrations (`sns:publish`, `dynamodb:putItem|getItem|updateItem|deleteItem`,
 *   `states:startExecution`) take the API's names in PascalCase and fail with `DynamoDB.ConditionalCheckFailedException`,
 *   `StepFunctions.ExecutionAlreadyExistsException`. Sources: "Learning to use AWS service SDK integrations in
 *   Step Functions" (https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html),
 *   "Publish messages to an Amazon SNS topic with Step Functions" (connect-sns), "Call DynamoDB APIs with Step
 *   Functions" (connect-ddb).
 * - `sdkCall(region, service, command, input)` and `wireSdkMocks()`: Lambdas, with the JavaScript SDK v3's
 *   names and exception classes (`DBInstanceNotFoundFault`, so `instanceof` works).
 * A call in the wrong casing is refused with `ModelRejectedCall`; a call aimed at a resource in another region
 * fails as AWS fails it and is recorded in `refusals`.
 * `wireSdkMocks` also reads each client's custom endpoint, attempts and timeouts: Route 53 ARC calls are answered
 * per cluster endpoint (route53-recovery-cluster.ts), and `setRegionReachable(region, false)` fails every call of
 * that region as a connection nobody accepts (network-errors.ts); the endpoint is recorded on the call.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { awaitTaskStopped } from './ecs';
import { newRdsRegion } from './rds-state';
import { clientTransport, connectFailure, DEFAULT_TRANSPORT, sfnUnreachable, type Transport } from './network-errors';
import type { ArcEndpointSeed, EndpointHealth } from './route53-recovery-cluster';
import type { SecretSeed } from './secrets-manager';
import { ModelRejectedCall, ServiceFault, StatesError } from './errors';
import { capitalize, lcFirst, SDK_ERROR_PREFIX, sfnOptimizedErrorName, sfnSdkErrorName } from './names';
import { dbArn, parseRdsArn } from './rds-arns';
import type { Ctx, DbInstanceState, DbSnapshotState, InstanceSettings, Tag } from './rds-state';
import { type S3Object, sdkStream } from './s3';
import {
  CLIENT_MODULES,
  type Casing,
  fromModelNames,
  operationNames,
  operationSchema,
  SERVICES,
  type ServiceName,
  toModelNames,
} from './schema';
import { type Alarm, type AlarmSettings, alarmSettings, type Execution } from './services';

import { AccountState } from './account-state';
import { type CallRecord, OPTIMIZED, SDK_CLIENTS, SERVICE_ALIASES } from './model-routing';

export interface DbInstanceSeed {
  id: string;
  status?: string;
  createdAt?: Date;
  tags?: Tag[];
  engineVersion?: string;
  instanceClass?: string;
  backupRetentionPeriod?: number;
  /** When automated backups (the restore window) begin; default: createdAt. */
  backupsSince?: Date;
  /** Replicate automated backups to this region (cross-region automated backup replication). */
  backupReplicationRegion?: string;
  /** Makes this a read replica of the instance with this id (same region) or ARN (another region). */
  replicaOf?: string;
  subnetGroupName?: string;
  vpcSecurityGroupIds?: string[];
  publiclyAccessible?: boolean;
  parameterGroupName?: string;
  multiAZ?: boolean;
  deletionProtection?: boolean;
  storageEncrypted?: boolean;
  kmsKeyId?: string;
  copyTagsToSnapshot?: boolean;
  /** Further settings DescribeDBInstances shows (storage, option group, CA, logs, monitoring…). */
  settings?: InstanceSettings;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

export class AccountModel extends AccountState {
  // ---- dispatch ----------------------------------------------------------------------------------

  private dispatch(
    via: 'sfn' | 'sdk',
    region: string,
    service: ServiceName,
    op: string,
    input: Record<string, unknown>,
  ): Record<string, unknown> {
    const fault = this.takeFault(via, service, op);
    if (fault) throw new ServiceFault(fault.error, fault.message ?? `Injected fault ${fault.error}`, 400);
    const ctx = this.ctx(region);
    const target = (
      {
        rds: this.rds,
        s3: this.s3,
        s3control: this.s3control,
        sns: this.sns,
        cloudwatch: this.cloudwatch,
        dynamodb: this.dynamodb,
        sfn: this.sfn,
        ecs: this.ecs,
        secretsmanager: this.secretsmanager,
        route53recoverycluster: this.route53recoverycluster,
      } as Record<ServiceName, unknown>
    )[service] as Record<string, unknown>;
    const handler = target[op];
    if (typeof handler !== 'function' || op === 'constructor' || !/^[A-Z]/.test(op)) {
      throw new ModelRejectedCall(`${service} ${op} is not modeled`);
    }
    return (handler as (c: Ctx, i: Record<string, unknown>, via: string) => Record<string, unknown>).call(
      target,
      ctx,
      input,
      via,
    );
  }

  private record(
    via: 'sfn' | 'sdk',
    region: string,
    service: string,
    action: string,
    params: unknown,
    endpoint?: string,
  ): CallRecord {
    let copy: unknown;
    try {
      copy = clone(params);
    } catch {
      copy = params;
    }
    const rec: CallRecord = { via, region, service, action, params: copy, at: this.now() };
    if (endpoint !== undefined) rec.endpoint = endpoint;
    this.calls.push(rec);
    this.current = { via, region, service, action };
    return rec;
  }

  /** A Step Functions Task state's call. `resource` is the Task's Resource ARN. */
  async sfnCall(region: string, resource: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const m = /^arn:aws[a-z-]*:states:::(.+)$/.exec(resource);
    const rec = this.record('sfn', region, '?', resource, params);
    try {
      if (!m) throw new ModelRejectedCall(`${resource} is not a Step Functions service integration resource`);
      let rest = m[1];
      const pattern = /\.(sync(:2)?|waitForTaskToken)$/.exec(rest);
      // ecs:runTask.sync is RunTask, then a wait on the model clock until the task stopped (ecs.ts).
      const ecsSync = rest === 'ecs:runTask.sync';
      if (ecsSync) rest = 'ecs:runTask';
      else if (pattern)
        throw new ModelRejectedCall(`the ${pattern[1]} integration pattern is not modeled (${resource})`);
      let service: ServiceName;
      let op: string;
      let casing: Casing;
      let optimized = false;
      if (rest.startsWith('aws-sdk:')) {
        rest = rest.slice('aws-sdk:'.length);
        const [svc, action] = rest.split(':');
        const s = SERVICE_ALIASES[svc];
        if (!s || svc === 'states' || svc === 'stepfunctions')
          throw new ModelRejectedCall(`aws-sdk service ${svc} is not modeled`);
        service = s;
        op = capitalize(action ?? '');
        if (action !== lcFirst(op) || !/^[a-z]/.test(action)) {
          throw new ModelRejectedCall(
            `an aws-sdk action is the API name with a lower-case first letter: ${lcFirst(action ?? '')}, not ${action}`,
          );
        }
        casing = 'java';
      } else {
        if (rest.startsWith('lambda:'))
          throw new ModelRejectedCall(`${resource} is the runner's, not the account model's`);
        const o = OPTIMIZED[rest];
        if (!o) throw new ModelRejectedCall(`optimized integration ${rest} is not modeled`);
        ({ service, op } = o);
        casing = 'pascal';
        optimized = true;
      }
      rec.service = service;
      rec.action = op;
      this.current = { via: 'sfn', region, service, action: op };
      const schema = operationSchema(service, op);
      if (!schema) throw new ModelRejectedCall(`${service} has no action ${op}`);
      let p = params;
      if (service === 'sfn' && optimized && p.Input !== undefined && typeof p.Input !== 'string')
        p = { ...p, Input: JSON.stringify(p.Input) };
      const input = toModelNames(p, schema.input, casing, op) as Record<string, unknown>;
      if (this.unreachableRegions.has(region)) throw sfnUnreachable(service, region);
      let out: Record<string, unknown>;
      try {
        out = this.dispatch('sfn', region, service, op, input);
      } catch (e) {
        if (e instanceof ServiceFault) {
          if (e.name.includes('.')) throw new StatesError(e.name, e.message);
          const modeled = typeof CLIENT_MODULES[service][e.name] === 'function' && !e.name.endsWith('ServiceException');
          const name = optimized
            ? sfnOptimizedErrorName(service, e.name, modeled)
            : sfnSdkErrorName(service, e.name, modeled);
          const prefix = SDK_ERROR_PREFIX[service];
          throw new StatesError(
            name,
            `${e.message} (Service: ${prefix}, Status Code: ${e.httpStatusCode}, Request ID: 00000000-model)`,
          );
        }
        throw e;
      }
      if (ecsSync)
        return awaitTaskStopped(
          this.ecs,
          out,
          () => this.now(),
          (s) => this.advance(s),
        );
      return fromModelNames(out, schema.output, casing) ?? {};
    } catch (e) {
      rec.error = (e as Error).name;
      throw e;
    } finally {
      this.current = undefined;
    }
  }

  /**
   * A JavaScript SDK v3 call, as a Lambda makes it: `sdkCall('us-east-1', 'rds', 'DescribeDBInstances', {...})`.
   * `transport` is the client's endpoint, attempts and timeouts (`wireSdkMocks` reads them from the client).
   */
  async sdkCall(
    region: string,
    service: string,
    command: string,
    input: Record<string, unknown> = {},
    transport: Transport = DEFAULT_TRANSPORT,
  ): Promise<unknown> {
    const op = command.endsWith('Command') ? command.slice(0, -'Command'.length) : command;
    const s = SERVICE_ALIASES[service.toLowerCase()];
    const rec = this.record('sdk', region, s ?? service, op, input, transport.endpoint);
    try {
      if (!s) throw new ModelRejectedCall(`service ${service} is not modeled`);
      const schema = operationSchema(s, op);
      if (!schema) throw new ModelRejectedCall(`${s} has no command ${op}Command`);
      const checked = toModelNames(input, schema.input, 'js', op) as Record<string, unknown>;
      let out: Record<string, unknown>;
      try {
        this.admit(region, s, transport);
        out = this.dispatch('sdk', region, s, op, checked);
      } catch (e) {
        if (e instanceof ServiceFault) throw this.jsError(s, e);
        throw e;
      }
      const result: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(out)) {
        if (v === undefined) continue;
        result[k] = Buffer.isBuffer(v) ? v : clone(v);
      }
      if (s === 's3' && op === 'GetObject') result.Body = sdkStream(out.Body as Buffer);
      result.$metadata = { httpStatusCode: 200, requestId: '00000000-model', attempts: 1, totalRetryDelay: 0 };
      return result;
    } catch (e) {
      rec.error = (e as Error).name;
      throw e;
    } finally {
      this.current = undefined;
    }
  }

  /** Throws what the client sees when nobody answers its call (an unreachable region, an ARC endpoint's state). */
  private admit(region: string, service: ServiceName, t: Transport): void {
    if (service === 'route53recoverycluster') {
      this.route53recoverycluster.admit(
        this.ctx(region),
        region,
        t,
        (r) => !this.unreachableRegions.has(r),
        () => connectFailure(t),
      );
    } else if (this.unreachableRegions.has(region)) {
      throw connectFailure(t);
    }
  }

  private jsError(service: ServiceName, e: ServiceFault): Error {
    const mod = CLIENT_MODULES[service];
    const opts = {
      ...('details' in e ? (e.details as Record<string, unknown>) : {}),
      message: e.message,
      $metadata: { httpStatusCode: e.httpStatusCode, requestId: '00000000-model', attempts: 1, totalRetryDelay: 0 },
    };
    const Cls = mod[e.name];
    if (typeof Cls === 'function' && !e.name.endsWith('ServiceException')) {
      return new (Cls as new (o: unknown) => Error)(opts);
    }
    const baseName = Object.keys(mod).find((k) => k.endsWith('ServiceException'));
    if (baseName) {
      const Base = mod[baseName] as new (o: unknown) => Error;
      return new Base({ ...opts, name: e.name, $fault: e.httpStatusCode >= 500 ? 'server' : 'client' });
    }
    return e;
  }

  /**
   * Routes every command of the six SDK clients to `sdkCall`, with the client's own region. Returns the
   * function that restores the real clients.
   */
  wireSdkMocks(): () => void {
    const mocks = SERVICES.map((service) => {
      const mock = mockClient(SDK_CLIENTS[service] as Parameters<typeof mockClient>[0]);
      const mod = CLIENT_MODULES[service];
      for (const op of operationNames(service)) {
        mock
          .on(mod[`${op}Command`] as never)
          .callsFake(async (input: Record<string, unknown>, getClient: () => unknown) => {
            const config = (getClient() as { config: Record<string, unknown> }).config;
            const r = config.region;
            const region = typeof r === 'function' ? await (r as () => Promise<string>)() : String(r);
            return this.sdkCall(region, service, op, input, await clientTransport(config));
          });
      }
      return mock;
    });
    return () => {
      for (const m of mocks) m.restore();
    };
  }

  // ---- seeding -----------------------------------------------------------------------------------

  addSubnetGroup(region: string, name: string, vpcId: string): void {
    this.rdsRegion(region).subnetGroups.set(name, vpcId);
  }

  addDbInstance(region: string, seed: DbInstanceSeed): DbInstanceState {
    const ctx = this.ctx(region);
    const createdAt = seed.createdAt ?? new Date(this.clock - 30 * 86_400_000);
    let replicaSource: string | undefined;
    let source: DbInstanceState | undefined;
    if (seed.replicaOf) {
      const arn = parseRdsArn(seed.replicaOf);
      source = arn
        ? this.rdsRegion(arn.region).instances.get(arn.id)
        : this.rdsRegion(region).instances.get(seed.replicaOf);
      if (!source) throw new Error(`addDbInstance: replica source ${seed.replicaOf} is not in the model`);
      replicaSource = source.region === region ? source.id : dbArn(source.region, this.account, source.id);
    }
    const inst = this.rds.createInstance(
      ctx,
      {
        id: seed.id,
        createdAt,
        tags: seed.tags ? seed.tags.map((t) => ({ ...t })) : [],
        engineVersion: seed.engineVersion,
        instanceClass: seed.instanceClass,
        backupRetentionPeriod: seed.backupRetentionPeriod ?? (seed.replicaOf ? 0 : 7),
        subnetGroupName:
          seed.subnetGroupName ?? (source && source.region === region ? source.subnetGroupName : undefined),
        vpcSecurityGroupIds: seed.vpcSecurityGroupIds,
        publiclyAccessible: seed.publiclyAccessible,
        parameterGroupName: seed.parameterGroupName,
        multiAZ: seed.multiAZ,
        deletionProtection: seed.deletionProtection,
        storageEncrypted: seed.storageEncrypted,
        kmsKeyId: seed.kmsKeyId,
        copyTagsToSnapshot: seed.copyTagsToSnapshot,
        replicaSource,
        ...seed.settings,
      },
      seed.status ?? 'available',
    );
    if (source) source.replicas.push(source.region === region ? inst.id : dbArn(region, this.account, inst.id));
    this.rds.startBackups(ctx, inst, seed.backupsSince ?? createdAt, seed.backupReplicationRegion);
    return inst;
  }

  addDbSnapshot(
    region: string,
    seed: {
      id: string;
      instanceId: string;
      type?: 'automated' | 'manual';
      status?: string;
      createdAt?: Date;
      tags?: Tag[];
    },
  ): DbSnapshotState {
    const ctx = this.ctx(region);
    const instance = this.rdsRegion(region).instances.get(seed.instanceId);
    return this.rds.addSnapshot(ctx, {
      id: seed.id,
      instance,
      instanceId: seed.instanceId,
      type: seed.type ?? 'manual',
      status: seed.status ?? 'available',
      createdAt: seed.createdAt,
      tags: seed.tags ? seed.tags.map((t) => ({ ...t })) : [],
    });
  }

  addBucket(name: string, region: string, options: { versioned?: boolean } = {}): void {
    this.rdsRegion(region);
    this.s3.addBucket(name, region, options.versioned ?? false);
  }

  putObject(
    bucket: string,
    key: string,
    body: string | Buffer,
    options: {
      contentType?: string;
      metadata?: Record<string, string>;
      checksumSHA256?: boolean;
      serverSideEncryption?: string;
      lastModified?: Date;
    } = {},
  ): S3Object {
    const b = this.s3.buckets.get(bucket);
    if (!b) throw new Error(`putObject: no bucket ${bucket}`);
    return this.s3.put(
      b,
      key,
      {
        Body: body,
        ContentType: options.contentType,
        Metadata: options.metadata,
        ChecksumAlgorithm: options.checksumSHA256 ? 'SHA256' : undefined,
        ServerSideEncryption: options.serverSideEncryption,
      },
      options.lastModified ?? this.now(),
    );
  }

  addTopic(arn: string): void {
    this.sns.topics.add(arn);
  }

  addTable(region: string, name: string, keyName: string, sortKeyName?: string): void {
    this.rdsRegion(region);
    this.dynamodb.addTable(region, name, keyName, sortKeyName);
  }

  addAlarm(
    region: string,
    alarm: {
      AlarmName: string;
      StateValue?: Alarm['StateValue'];
      ActionsEnabled?: boolean;
      AlarmActions?: string[];
      MetricName?: string;
      Namespace?: string;
    } & AlarmSettings,
  ): void {
    this.rdsRegion(region);
    this.cloudwatch.alarms.set(`${region}/${alarm.AlarmName}`, {
      region,
      AlarmName: alarm.AlarmName,
      StateValue: alarm.StateValue ?? 'OK',
      ActionsEnabled: alarm.ActionsEnabled ?? true,
      AlarmActions: alarm.AlarmActions ?? [],
      MetricName: alarm.MetricName,
      Namespace: alarm.Namespace,
      ...alarmSettings(alarm),
    });
  }

  /** Adds a secret homed in `region` (and its replicas, `replicaRegions`); returns the ARN it has there. */
  addSecret(region: string, seed: SecretSeed): string {
    this.rdsRegion(region);
    for (const r of seed.replicaRegions ?? []) this.rdsRegion(r);
    return this.secretsmanager.add(region, this.account, seed, this.now());
  }

  /** Adds an ARC cluster with these regional endpoints (each `up`); routing controls added next belong to it. */
  addArcCluster(endpoints: ArcEndpointSeed[]): void {
    // A cluster's endpoints may be in regions the model has no other use for: calls signed for them need a context.
    for (const e of endpoints)
      if (!this.rdsRegions.has(e.region)) this.rdsRegions.set(e.region, newRdsRegion(e.region));
    this.route53recoverycluster.addCluster(endpoints);
  }

  /** Adds a routing control (global ARN, no region) to the last cluster added. */
  addRoutingControl(arn: string, state: 'On' | 'Off', name?: string): void {
    this.route53recoverycluster.addRoutingControl(arn, state, name);
  }

  /** Makes a cluster endpoint answer normally, with its own errors, or not at all (`silent`). */
  setEndpointHealth(url: string, health: EndpointHealth): void {
    this.route53recoverycluster.setEndpointHealth(url, health);
  }

  /** A routing control's state as the cluster holds it. */
  routingControlState(arn: string): 'On' | 'Off' | undefined {
    return this.route53recoverycluster.state(arn);
  }

  /**
   * Makes every endpoint of `region` unreachable (or reachable again): each SDK call of a client in that region, and
   * each call to an ARC endpoint there, fails as a connection nobody accepts (network-errors.ts); a Step Functions
   * integration call there fails `States.TaskFailed`.
   */
  setRegionReachable(region: string, reachable: boolean): void {
    this.rdsRegion(region);
    if (reachable) this.unreachableRegions.delete(region);
    else this.unreachableRegions.add(region);
  }

  /** Whether `region`'s endpoints answer (`setRegionReachable`): stand-ins for other network paths ask it too. */
  isRegionReachable(region: string): boolean {
    return !this.unreachableRegions.has(region);
  }

  /** Ends a started execution (the harness runs a `.sync:2` child and reports here how it ended). */
  completeExecution(
    executionArn: string,
    status: Execution['status'],
    output?: unknown,
    failure: { error?: string; cause?: string } = {},
  ): void {
    const ex = this.sfn.executions.get(executionArn);
    if (!ex) throw new Error(`completeExecution: no execution ${executionArn}`);
    if (ex.status !== 'RUNNING') throw new Error(`completeExecution: ${executionArn} already ended ${ex.status}`);
    ex.status = status;
    ex.stopDate = this.now();
    ex.output = output === undefined || status !== 'SUCCEEDED' ? undefined : JSON.stringify(output);
    if (failure.error !== undefined) ex.error = failure.error;
    if (failure.cause !== undefined) ex.cause = failure.cause;
  }
}
