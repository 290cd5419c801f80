/**
 * Member names come from the installed JavaScript SDK's own service schemas (each client exports
 * `<Operation>$` = [9, namespace, name, traits, () => input, () => output]; a structure is
 * [3, namespace, name, traits, memberNames, memberSchemas], a list [1, ..., member], a map
 * [2, ..., key, value]; numbers are simple types, 64|n a list and 128|n a map of them, 4 a timestamp,
 * 21 and 42 blobs). Walking them checks every parameter of every call, nested ones included, against the
 * service model, and renames members to the Java SDK's names for the Step Functions path.
 */
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as ecs from '@aws-sdk/client-ecs';
import * as rds from '@aws-sdk/client-rds';
import * as s3 from '@aws-sdk/client-s3';
import * as s3control from '@aws-sdk/client-s3-control';
import * as route53recoverycluster from '@aws-sdk/client-route53-recovery-cluster';
import * as secretsmanager from '@aws-sdk/client-secrets-manager';
import * as sfn from '@aws-sdk/client-sfn';
import * as sns from '@aws-sdk/client-sns';
import { ModelRejectedCall } from './errors';
import { capitalize, javaMemberName } from './names';

export type ServiceName =
  | 'rds'
  | 's3'
  | 's3control'
  | 'sns'
  | 'cloudwatch'
  | 'dynamodb'
  | 'sfn'
  | 'ecs'
  | 'secretsmanager'
  | 'route53recoverycluster';
export const SERVICES: ServiceName[] = [
  'rds',
  's3',
  's3control',
  'sns',
  'cloudwatch',
  'dynamodb',
  'sfn',
  'ecs',
  'secretsmanager',
  'route53recoverycluster',
];

type Module = Record<string, unknown>;
export const CLIENT_MODULES: Record<ServiceName, Module> = {
  rds: rds as unknown as Module,
  s3: s3 as unknown as Module,
  s3control: s3control as unknown as Module,
  sns: sns as unknown as Module,
  cloudwatch: cloudwatch as unknown as Module,
  dynamodb: dynamodb as unknown as Module,
  sfn: sfn as unknown as Module,
  ecs: ecs as unknown as Module,
  secretsmanager: secretsmanager as unknown as Module,
  route53recoverycluster: route53recoverycluster as unknown as Module,
};

type Raw = unknown;
type Shape =
  | { kind: 'simple'; type: number }
  | { kind: 'struct'; name: string; members: Array<[string, Raw]> }
  | { kind: 'list'; member: Raw }
  | { kind: 'map'; value: Raw };

const TIMESTAMP = new Set([4, 5, 6, 7]);
const BLOB = new Set([21, 42]);

function resolve(ref: Raw): Shape {
  let r = ref;
  for (;;) {
    if (typeof r === 'function') {
      r = (r as () => Raw)();
      continue;
    }
    if (typeof r === 'number') {
      if (r & 64) return { kind: 'list', member: r & ~64 };
      if (r & 128) return { kind: 'map', value: r & ~128 };
      return { kind: 'simple', type: r };
    }
    if (Array.isArray(r)) {
      // Member wrapper: [schema, traits].
      if (r.length === 2 && (typeof r[0] === 'function' || typeof r[0] === 'number') && typeof r[1] !== 'string') {
        r = r[0];
        continue;
      }
      const kind = r[0] as number;
      if (kind === 3 || kind === -3) {
        const names = r[4] as string[];
        const schemas = r[5] as Raw[];
        return { kind: 'struct', name: r[2] as string, members: names.map((n, i) => [n, schemas[i]]) };
      }
      if (kind === 1) return { kind: 'list', member: r[4] };
      if (kind === 2) return { kind: 'map', value: r[5] };
      if (kind === 0) {
        r = r[4];
        continue;
      }
      return { kind: 'simple', type: -1 };
    }
    return { kind: 'simple', type: -1 };
  }
}

export interface OperationSchema {
  name: string;
  input: Raw;
  output: Raw;
}

export function operationSchema(service: ServiceName, operation: string): OperationSchema | undefined {
  const op = CLIENT_MODULES[service][`${operation}$`];
  if (!Array.isArray(op) || op[0] !== 9) return undefined;
  return { name: operation, input: op[4], output: op[5] };
}

export function operationNames(service: ServiceName): string[] {
  return Object.keys(CLIENT_MODULES[service])
    .filter((k) => k.endsWith('Command') && typeof CLIENT_MODULES[service][k] === 'function')
    .map((k) => k.slice(0, -'Command'.length))
    .filter((k) => k.length > 0 && operationSchema(service, k) !== undefined);
}

/**
 * Members the SDKs add to the service model: both the JavaScript SDK (its RDS middleware presigns the
 * cross-region request) and the Java SDK (`CopyDbSnapshotRequest.sourceRegion`) take `SourceRegion` on the
 * RDS calls that copy across regions.
 */
const EXTRA_MEMBERS: Record<string, string[]> = {
  CopyDBSnapshotMessage: ['SourceRegion'],
  CreateDBInstanceReadReplicaMessage: ['SourceRegion'],
  StartDBInstanceAutomatedBackupsReplicationMessage: ['SourceRegion'],
  CreateDBClusterMessage: ['SourceRegion'],
  CopyDBClusterSnapshotMessage: ['SourceRegion'],
};

/** The casing a caller speaks: Java (AWS SDK integrations), Pascal (optimized integrations) or JS (Lambdas). */
export type Casing = 'java' | 'pascal' | 'js';

function nameIn(casing: Casing, js: string): string {
  if (casing === 'java') return javaMemberName(js);
  if (casing === 'pascal') return capitalize(js);
  return js;
}

const CASING_WORDS: Record<Casing, string> = {
  java: 'Step Functions SDK integrations use',
  pascal: 'Step Functions optimized integrations use',
  js: 'the JavaScript SDK (Lambdas) uses',
};

/**
 * Checks `value` against `ref` in the caller's casing and returns it with the service model's (JS) names.
 * A member spelled in another casing is refused with the name it should have had.
 */
export function toModelNames(value: unknown, ref: Raw, casing: Casing, path: string): unknown {
  if (value === undefined || value === null) return value;
  const shape = resolve(ref);
  if (shape.kind === 'struct' && EXTRA_MEMBERS[shape.name]) {
    shape.members = [...shape.members, ...EXTRA_MEMBERS[shape.name].map((n): [string, Raw] => [n, 0])];
  }
  if (shape.kind === 'list') {
    if (!Array.isArray(value)) return value;
    return value.map((v, i) => toModelNames(v, shape.member, casing, `${path}[${i}]`));
  }
  if (shape.kind === 'map') {
    if (typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out[k] = toModelNames(v, shape.value, casing, `${path}.${k}`);
    return out;
  }
  if (shape.kind === 'simple') return value;
  if (typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return value;
  }
  const byCased = new Map<string, [string, Raw]>();
  const byOther = new Map<string, string>();
  for (const [js, sch] of shape.members) {
    const cased = nameIn(casing, js);
    byCased.set(cased, [js, sch]);
    for (const other of ['java', 'pascal', 'js'] as Casing[]) {
      const o = nameIn(other, js);
      if (o !== cased) byOther.set(o, cased);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const hit = byCased.get(k);
    if (hit) {
      out[hit[0]] = toModelNames(v, hit[1], casing, `${path}.${k}`);
      continue;
    }
    const should = byOther.get(k);
    if (should) {
      throw new ModelRejectedCall(`${CASING_WORDS[casing]} ${should}, not ${k} (at ${path}.${k})`);
    }
    throw new ModelRejectedCall(`${k} is not a member of ${shape.name} (at ${path}.${k})`);
  }
  return out;
}

/** Renames a result from the service model's (JS) names into the caller's casing, as JSON would carry it. */
export function fromModelNames(value: unknown, ref: Raw, casing: Casing): unknown {
  if (value === undefined || value === null) return undefined;
  const shape = resolve(ref);
  if (shape.kind === 'simple') {
    if (value instanceof Date) return value.toISOString();
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
    if (TIMESTAMP.has(shape.type) && typeof value === 'string') return value;
    if (BLOB.has(shape.type) && typeof value === 'string') return value;
    return value;
  }
  if (shape.kind === 'list')
    return Array.isArray(value) ? value.map((v) => fromModelNames(v, shape.member, casing)) : value;
  if (shape.kind === 'map') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out[k] = fromModelNames(v, shape.value, casing);
    return out;
  }
  if (typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const src = value as Record<string, unknown>;
  for (const [js, sch] of shape.members) {
    if (src[js] === undefined) continue;
    out[nameIn(casing, js)] = fromModelNames(src[js], sch, casing);
  }
  return out;
}
