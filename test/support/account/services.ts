/**
 * SNS, DynamoDB, CloudWatch and Step Functions, in the service model's names.
 * - SNS Publish (TopicArn, Message, Subject, MessageStructure, MessageAttributes): Amazon SNS API
 *   Reference API_Publish; with MessageStructure=json the Message must be a JSON object with a
 *   "default" key. Step Functions' optimized `arn:aws:states:::sns:publish` takes the same names
 *   ("Publish messages to an Amazon SNS topic with Step Functions", connect-sns).
 * - DynamoDB PutItem/GetItem/UpdateItem/DeleteItem (TableName, Item, Key, ConditionExpression,
 *   ExpressionAttributeNames, ExpressionAttributeValues, UpdateExpression, ReturnValues): Amazon DynamoDB
 *   API Reference; the optimized `arn:aws:states:::dynamodb:*` integrations support these
 *   (awsdocs/aws-step-functions-developer-guide doc_source/connect-ddb.md); a failed condition is
 *   `ConditionalCheckFailedException` (Step Functions: `DynamoDB.ConditionalCheckFailedException`).
 * - CloudWatch DescribeAlarms, EnableAlarmActions, DisableAlarmActions, SetAlarmState, PutMetricData.
 * - Step Functions StartExecution (stateMachineArn, name, input): idempotent for the same name and input
 *   while the execution is open, else `ExecutionAlreadyExists` (AWS Step Functions API Reference,
 *   API_StartExecution); DescribeExecution (`ExecutionDoesNotExist`).
 */
import { randomUUID } from 'node:crypto';
import { query, transactWriteItems } from './dynamodb-transactions';
import { ServiceFault } from './errors';
import { TaskTokens } from './task-tokens';

type Input = Record<string, unknown>;
export interface Ctx {
  region: string;
  account: string;
  now(): Date;
  refuse(message: string): void;
}

function regionOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]+):/.exec(arn)?.[1];
}

// ---- SNS -------------------------------------------------------------------------------------------

export interface SnsMessage {
  TopicArn: string;
  Message: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: Record<string, unknown>;
  MessageId: string;
  at: Date;
  via: 'sfn' | 'sdk';
}

export class SnsModel {
  readonly topics = new Set<string>();
  readonly messages: SnsMessage[] = [];

  Publish(ctx: Ctx, input: Input, via: 'sfn' | 'sdk'): unknown {
    const arn = String(input.TopicArn ?? '');
    if (!arn) throw new ServiceFault('InvalidParameterException', 'Invalid parameter: TopicArn', 400);
    const region = regionOfArn(arn);
    if (region && region !== ctx.region) {
      ctx.refuse(`call in ${ctx.region} aimed at ${arn} (a topic in ${region})`);
      throw new ServiceFault('NotFoundException', 'Topic does not exist', 404);
    }
    if (!this.topics.has(arn)) throw new ServiceFault('NotFoundException', 'Topic does not exist', 404);
    if (typeof input.Message !== 'string')
      throw new ServiceFault('InvalidParameterException', 'Invalid parameter: Message', 400);
    if (input.Subject !== undefined && String(input.Subject).length > 100) {
      throw new ServiceFault(
        'InvalidParameterException',
        'Invalid parameter: Subject must be at most 100 characters',
        400,
      );
    }
    if (input.MessageStructure !== undefined) {
      if (input.MessageStructure !== 'json')
        throw new ServiceFault('InvalidParameterException', 'Invalid parameter: MessageStructure', 400);
      let parsed: unknown;
      try {
        parsed = JSON.parse(input.Message);
      } catch {
        parsed = undefined;
      }
      if (
        typeof parsed !== 'object' ||
        parsed === null ||
        typeof (parsed as Record<string, unknown>).default !== 'string'
      ) {
        throw new ServiceFault(
          'InvalidParameterException',
          'Invalid parameter: Message Structure - No default entry in JSON message body',
          400,
        );
      }
    }
    const msg: SnsMessage = {
      TopicArn: arn,
      Message: input.Message,
      Subject: input.Subject as string | undefined,
      MessageStructure: input.MessageStructure as string | undefined,
      MessageAttributes: input.MessageAttributes as Record<string, unknown> | undefined,
      MessageId: randomUUID(),
      at: ctx.now(),
      via,
    };
    this.messages.push(msg);
    return { MessageId: msg.MessageId };
  }
}

// ---- DynamoDB --------------------------------------------------------------------------------------

export type AttributeValue = {
  S?: string;
  N?: string;
  BOOL?: boolean;
  NULL?: boolean;
  M?: Record<string, AttributeValue>;
  L?: AttributeValue[];
  SS?: string[];
};
type Item = Record<string, AttributeValue>;

export interface Table {
  name: string;
  region: string;
  keyName: string;
  sortKeyName?: string;
  items: Map<string, Item>;
}

/** Evaluates the condition subset a cooldown record needs: attribute_(not_)exists, comparisons, AND/OR/NOT, parentheses. */
export function evaluateCondition(
  expr: string,
  item: Item | undefined,
  names: Record<string, string>,
  values: Item,
): boolean {
  const tokens = expr.match(/attribute_not_exists|attribute_exists|<>|<=|>=|[()=<>,]|[#:]?[A-Za-z0-9_.]+/g) ?? [];
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const next = (): string => {
    const t = tokens[pos++];
    if (t === undefined) throw new ServiceFault('ValidationException', `Invalid ConditionExpression: ${expr}`, 400);
    return t;
  };
  const expect = (t: string): void => {
    if (next() !== t) throw new ServiceFault('ValidationException', `Invalid ConditionExpression: ${expr}`, 400);
  };
  const nameOf = (t: string): string => {
    if (t.startsWith('#')) {
      if (!(t in names))
        throw new ServiceFault(
          'ValidationException',
          `An expression attribute name used in the document path is not defined; attribute name: ${t}`,
          400,
        );
      return names[t];
    }
    return t;
  };
  const operand = (t: string): AttributeValue | undefined => {
    if (t.startsWith(':')) {
      if (!(t in values))
        throw new ServiceFault(
          'ValidationException',
          `An expression attribute value used in expression is not defined; attribute value: ${t}`,
          400,
        );
      return values[t];
    }
    return item?.[nameOf(t)];
  };
  const compare = (a: AttributeValue | undefined, op: string, b: AttributeValue | undefined): boolean => {
    if (a === undefined || b === undefined) return op === '<>' ? a !== b : false;
    let x: number | string;
    let y: number | string;
    if (a.N !== undefined && b.N !== undefined) {
      x = Number(a.N);
      y = Number(b.N);
    } else if (a.S !== undefined && b.S !== undefined) {
      x = a.S;
      y = b.S;
    } else {
      const eq = JSON.stringify(a) === JSON.stringify(b);
      return op === '=' ? eq : op === '<>' ? !eq : false;
    }
    switch (op) {
      case '=':
        return x === y;
      case '<>':
        return x !== y;
      case '<':
        return x < y;
      case '<=':
        return x <= y;
      case '>':
        return x > y;
      case '>=':
        return x >= y;
      default:
        throw new ServiceFault('ValidationException', `Unsupported operator ${op}`, 400);
    }
  };
  const primary = (): boolean => {
    const t = next();
    if (t === '(') {
      const v = or();
      expect(')');
      return v;
    }
    if (t.toUpperCase() === 'NOT') return !primary();
    if (t === 'attribute_not_exists' || t === 'attribute_exists') {
      expect('(');
      const n = nameOf(next());
      expect(')');
      const exists = item !== undefined && item[n] !== undefined;
      return t === 'attribute_exists' ? exists : !exists;
    }
    const op = next();
    return compare(operand(t), op, operand(next()));
  };
  const and = (): boolean => {
    let v = primary();
    while (peek()?.toUpperCase() === 'AND') {
      next();
      const r = primary();
      v = v && r;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (peek()?.toUpperCase() === 'OR') {
      next();
      const r = and();
      v = v || r;
    }
    return v;
  };
  const result = or();
  if (pos !== tokens.length) throw new ServiceFault('ValidationException', `Invalid ConditionExpression: ${expr}`, 400);
  return result;
}

export class DynamoModel {
  readonly tables = new Map<string, Table>();

  addTable(region: string, name: string, keyName: string, sortKeyName?: string): Table {
    const t: Table = { name, region, keyName, sortKeyName, items: new Map() };
    this.tables.set(`${region}/${name}`, t);
    return t;
  }

  table(ctx: Ctx, name: unknown): Table {
    const raw = String(name);
    const region = regionOfArn(raw);
    if (region && region !== ctx.region) ctx.refuse(`call in ${ctx.region} aimed at ${raw} (a table in ${region})`);
    const short = raw.includes(':table/') ? raw.split(':table/')[1] : raw;
    const t = this.tables.get(`${ctx.region}/${short}`);
    if (!t) throw new ServiceFault('ResourceNotFoundException', 'Requested resource not found', 400);
    return t;
  }

  /** The map key of the item with `key` in table `t` (used by dynamodb-transactions.ts). */
  itemKey(t: Table, key: Item): string {
    return this.keyOf(t, key);
  }

  TransactWriteItems(ctx: Ctx, input: Input): unknown {
    return transactWriteItems(this, ctx, input);
  }

  Query(ctx: Ctx, input: Input): unknown {
    return query(this, ctx, input);
  }

  private keyOf(t: Table, key: Item): string {
    const part = (n: string): string => {
      const v = key[n];
      if (!v)
        throw new ServiceFault(
          'ValidationException',
          `The provided key element does not match the schema (missing ${n})`,
          400,
        );
      return JSON.stringify(v);
    };
    return t.sortKeyName ? `${part(t.keyName)}|${part(t.sortKeyName)}` : part(t.keyName);
  }

  private check(input: Input, existing: Item | undefined): void {
    if (input.ConditionExpression === undefined) return;
    const ok = evaluateCondition(
      String(input.ConditionExpression),
      existing,
      (input.ExpressionAttributeNames as Record<string, string>) ?? {},
      (input.ExpressionAttributeValues as Item) ?? {},
    );
    if (!ok) throw new ServiceFault('ConditionalCheckFailedException', 'The conditional request failed', 400);
  }

  PutItem(ctx: Ctx, input: Input): unknown {
    const t = this.table(ctx, input.TableName);
    const item = structuredClone(input.Item as Item);
    const k = this.keyOf(t, item);
    const old = t.items.get(k);
    this.check(input, old);
    t.items.set(k, item);
    return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {};
  }

  GetItem(ctx: Ctx, input: Input): unknown {
    const t = this.table(ctx, input.TableName);
    const item = t.items.get(this.keyOf(t, input.Key as Item));
    return item ? { Item: structuredClone(item) } : {};
  }

  DeleteItem(ctx: Ctx, input: Input): unknown {
    const t = this.table(ctx, input.TableName);
    const k = this.keyOf(t, input.Key as Item);
    const old = t.items.get(k);
    this.check(input, old);
    t.items.delete(k);
    return input.ReturnValues === 'ALL_OLD' && old ? { Attributes: old } : {};
  }

  UpdateItem(ctx: Ctx, input: Input): unknown {
    const t = this.table(ctx, input.TableName);
    const key = input.Key as Item;
    const k = this.keyOf(t, key);
    const old = t.items.get(k);
    this.check(input, old);
    const names = (input.ExpressionAttributeNames as Record<string, string>) ?? {};
    const values = (input.ExpressionAttributeValues as Item) ?? {};
    const item: Item = structuredClone(old ?? key);
    const expr = String(input.UpdateExpression ?? '').trim();
    const m = /^SET\s+(.+)$/i.exec(expr);
    if (!m) throw new ServiceFault('ValidationException', `Only SET update expressions are modeled: ${expr}`, 400);
    const updated: Item = {};
    for (const assignment of m[1].split(',')) {
      const [lhs, rhs] = assignment.split('=').map((s) => s.trim());
      const name = lhs.startsWith('#') ? names[lhs] : lhs;
      const value = rhs.startsWith(':') ? values[rhs] : item[rhs.startsWith('#') ? names[rhs] : rhs];
      if (!name || value === undefined)
        throw new ServiceFault('ValidationException', `Invalid UpdateExpression: ${expr}`, 400);
      item[name] = structuredClone(value);
      updated[name] = structuredClone(value);
    }
    t.items.set(k, item);
    if (input.ReturnValues === 'ALL_NEW') return { Attributes: structuredClone(item) };
    if (input.ReturnValues === 'UPDATED_NEW') return { Attributes: updated };
    if (input.ReturnValues === 'ALL_OLD' && old) return { Attributes: old };
    return {};
  }
}

// ---- CloudWatch ------------------------------------------------------------------------------------

export interface Alarm extends AlarmSettings {
  AlarmName: string;
  region: string;
  StateValue: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  ActionsEnabled: boolean;
  AlarmActions: string[];
  MetricName?: string;
  Namespace?: string;
  StateReason?: string;
}

/**
 * A metric alarm's settings as `MetricAlarm` names them (CloudWatch API reference); DescribeAlarms returns each one
 * that was set and leaves out the others, as it leaves out `TreatMissingData` for an alarm created without one.
 */
export interface AlarmSettings {
  Period?: number;
  Statistic?: string;
  ExtendedStatistic?: string;
  TreatMissingData?: string;
  Dimensions?: Array<{ Name: string; Value: string }>;
  Threshold?: number;
  ComparisonOperator?: string;
  EvaluationPeriods?: number;
}

/** The settings DescribeAlarms returns only when the alarm has them. */
export const ALARM_SETTINGS = [
  'Period',
  'Statistic',
  'ExtendedStatistic',
  'TreatMissingData',
  'Dimensions',
  'Threshold',
  'ComparisonOperator',
  'EvaluationPeriods',
] as const;

/** The settings `source` has, copied (the others left out). */
export function alarmSettings(source: AlarmSettings): AlarmSettings {
  const out: Record<string, unknown> = {};
  for (const k of ALARM_SETTINGS) if (source[k] !== undefined) out[k] = structuredClone(source[k]);
  return out as AlarmSettings;
}

export class CloudWatchModel {
  readonly alarms = new Map<string, Alarm>();
  readonly metricData: Array<{ region: string; Namespace: string; MetricData: unknown[]; at: Date }> = [];

  private inRegion(ctx: Ctx): Alarm[] {
    return [...this.alarms.values()].filter((a) => a.region === ctx.region);
  }

  DescribeAlarms(ctx: Ctx, input: Input): unknown {
    let alarms = this.inRegion(ctx);
    const names = input.AlarmNames as string[] | undefined;
    if (names) alarms = alarms.filter((a) => names.includes(a.AlarmName));
    if (input.AlarmNamePrefix !== undefined)
      alarms = alarms.filter((a) => a.AlarmName.startsWith(String(input.AlarmNamePrefix)));
    if (input.StateValue !== undefined) alarms = alarms.filter((a) => a.StateValue === input.StateValue);
    return {
      MetricAlarms: alarms.map((a) => ({
        AlarmName: a.AlarmName,
        AlarmArn: `arn:aws:cloudwatch:${a.region}:${ctx.account}:alarm:${a.AlarmName}`,
        StateValue: a.StateValue,
        StateReason: a.StateReason,
        ActionsEnabled: a.ActionsEnabled,
        AlarmActions: [...a.AlarmActions],
        MetricName: a.MetricName,
        Namespace: a.Namespace,
        ...alarmSettings(a),
      })),
      CompositeAlarms: [],
    };
  }

  private setActions(ctx: Ctx, input: Input, enabled: boolean): unknown {
    for (const name of (input.AlarmNames as string[] | undefined) ?? []) {
      const a = this.alarms.get(`${ctx.region}/${name}`);
      if (a) a.ActionsEnabled = enabled;
    }
    return {};
  }

  EnableAlarmActions(ctx: Ctx, input: Input): unknown {
    return this.setActions(ctx, input, true);
  }

  DisableAlarmActions(ctx: Ctx, input: Input): unknown {
    return this.setActions(ctx, input, false);
  }

  SetAlarmState(ctx: Ctx, input: Input): unknown {
    const a = this.alarms.get(`${ctx.region}/${String(input.AlarmName)}`);
    if (!a) throw new ServiceFault('ResourceNotFound', `Alarm ${String(input.AlarmName)} does not exist`, 404);
    a.StateValue = input.StateValue as Alarm['StateValue'];
    a.StateReason = input.StateReason as string | undefined;
    return {};
  }

  PutMetricData(ctx: Ctx, input: Input): unknown {
    if (typeof input.Namespace !== 'string' || !Array.isArray(input.MetricData)) {
      throw new ServiceFault('MissingRequiredParameterException', 'Namespace and MetricData are required', 400);
    }
    this.metricData.push({
      region: ctx.region,
      Namespace: input.Namespace,
      MetricData: structuredClone(input.MetricData),
      at: ctx.now(),
    });
    return {};
  }
}

// ---- Step Functions --------------------------------------------------------------------------------

export interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
}

export class SfnModel {
  readonly executions = new Map<string, Execution>();
  /** Tokens of `.waitForTaskToken` tasks, and the callbacks tests schedule while one waits. */
  readonly taskTokens = new TaskTokens();

  SendTaskSuccess(_ctx: Ctx, input: Input): unknown {
    this.taskTokens.succeed(input.taskToken, input.output);
    return {};
  }

  SendTaskFailure(_ctx: Ctx, input: Input): unknown {
    this.taskTokens.fail(input.taskToken, input.error, input.cause);
    return {};
  }

  StartExecution(ctx: Ctx, input: Input): unknown {
    const sm = String(input.stateMachineArn ?? '');
    const m = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]+)$/.exec(sm);
    if (!m) throw new ServiceFault('InvalidArn', `Invalid Arn: '${sm}'`, 400);
    if (m[1] !== ctx.region) {
      ctx.refuse(`call in ${ctx.region} aimed at ${sm} (a state machine in ${m[1]})`);
      throw new ServiceFault('StateMachineDoesNotExist', `State Machine Does Not Exist: '${sm}'`, 400);
    }
    const name = input.name === undefined ? randomUUID() : String(input.name);
    if (name.length > 80 || !/^[A-Za-z0-9_-]+$/.test(name))
      throw new ServiceFault('InvalidName', `Invalid Name: '${name}'`, 400);
    const inputText = typeof input.input === 'string' ? input.input : JSON.stringify(input.input ?? {});
    try {
      JSON.parse(inputText);
    } catch {
      throw new ServiceFault('InvalidExecutionInput', 'Invalid execution input: not JSON', 400);
    }
    const arn = `arn:aws:states:${m[1]}:${m[2]}:execution:${m[3]}:${name}`;
    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === inputText)
        return { executionArn: arn, startDate: existing.startDate };
      throw new ServiceFault('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`, 400);
    }
    const ex: Execution = {
      executionArn: arn,
      stateMachineArn: sm,
      name,
      input: inputText,
      status: 'RUNNING',
      startDate: ctx.now(),
    };
    this.executions.set(arn, ex);
    return { executionArn: arn, startDate: ex.startDate };
  }

  DescribeExecution(ctx: Ctx, input: Input): unknown {
    const arn = String(input.executionArn ?? '');
    const region = regionOfArn(arn);
    if (region && region !== ctx.region)
      ctx.refuse(`call in ${ctx.region} aimed at ${arn} (an execution in ${region})`);
    const ex = region === ctx.region ? this.executions.get(arn) : undefined;
    if (!ex) throw new ServiceFault('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`, 400);
    return { ...ex };
  }
}
