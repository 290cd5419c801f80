/**
 * DynamoDB TransactWriteItems and Query for the account model (Amazon DynamoDB API Reference):
 * - TransactWriteItems takes up to 100 items, each one of ConditionCheck, Put, Update or Delete, no two on
 *   the same item; every condition is evaluated first, and if any fails nothing is written and the call fails
 *   with `TransactionCanceledException`, whose `CancellationReasons` has one entry per item, in order:
 *   `{ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }` for a failed one and
 *   `{ Code: 'None' }` for the others. Its message lists the codes: `Transaction cancelled, please refer
 *   cancellation reasons for specific reasons [None, ConditionalCheckFailed]`.
 * - Query with a KeyConditionExpression `pk = :v` optionally `AND begins_with(sk, :p)`, `Select: COUNT`.
 */
import { ServiceFault } from './errors';
import { evaluateCondition, type AttributeValue, type Ctx, type DynamoModel, type Table } from './services';

type Item = Record<string, AttributeValue>;
type Input = Record<string, unknown>;

interface Operation {
  kind: 'ConditionCheck' | 'Put' | 'Update' | 'Delete';
  body: Input;
}

/** A ServiceFault that carries the exception's extra members (`CancellationReasons`) to the SDK's error class. */
export class DetailedServiceFault extends ServiceFault {
  constructor(
    name: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(name, message, 400);
  }
}

function operations(input: Input): Operation[] {
  const items = input.TransactItems;
  if (!Array.isArray(items) || items.length === 0 || items.length > 100)
    throw new ServiceFault('ValidationException', 'TransactItems must hold 1 to 100 items', 400);
  return items.map((entry: Input) => {
    const kinds = Object.keys(entry).filter((k) => entry[k] !== undefined);
    if (kinds.length !== 1 || !['ConditionCheck', 'Put', 'Update', 'Delete'].includes(kinds[0] as string))
      throw new ServiceFault('ValidationException', 'Each TransactItem holds exactly one operation', 400);
    return { kind: kinds[0] as Operation['kind'], body: entry[kinds[0] as string] as Input };
  });
}

function keyItem(table: Table, op: Operation): Item {
  if (op.kind === 'Put') {
    const item = op.body.Item as Item;
    const key: Item = { [table.keyName]: item[table.keyName] as AttributeValue };
    if (table.sortKeyName) key[table.sortKeyName] = item[table.sortKeyName] as AttributeValue;
    return key;
  }
  return op.body.Key as Item;
}

/** TransactWriteItems against `model`'s tables: all or nothing. */
export function transactWriteItems(model: DynamoModel, ctx: Ctx, input: Input): unknown {
  const ops = operations(input);
  const resolved = ops.map((op) => {
    const table = model.table(ctx, op.body.TableName);
    const key = model.itemKey(table, keyItem(table, op));
    return { op, table, key };
  });
  const seen = new Set(resolved.map((r) => `${r.table.name}/${r.key}`));
  if (seen.size !== resolved.length)
    throw new ServiceFault(
      'ValidationException',
      'Transaction request cannot include multiple operations on one item',
      400,
    );
  if (resolved.some((r) => r.op.kind === 'ConditionCheck' && r.op.body.ConditionExpression === undefined))
    throw new ServiceFault('ValidationException', 'A ConditionCheck needs a ConditionExpression', 400);
  const reasons = resolved.map(({ op, table, key }) => {
    const ok =
      op.body.ConditionExpression === undefined ||
      evaluateCondition(
        String(op.body.ConditionExpression),
        table.items.get(key),
        (op.body.ExpressionAttributeNames as Record<string, string>) ?? {},
        (op.body.ExpressionAttributeValues as Item) ?? {},
      );
    return ok ? { Code: 'None' } : { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
  });
  if (reasons.some((r) => r.Code !== 'None')) {
    throw new DetailedServiceFault(
      'TransactionCanceledException',
      `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
      { CancellationReasons: reasons },
    );
  }
  for (const { op, table, key } of resolved) {
    if (op.kind === 'Put') table.items.set(key, structuredClone(op.body.Item as Item));
    else if (op.kind === 'Delete') table.items.delete(key);
    else if (op.kind === 'Update')
      model.UpdateItem(ctx, {
        ...op.body,
        ConditionExpression: undefined,
      });
  }
  return {};
}

/** Query by partition key, optionally `AND begins_with(sk, :prefix)`; items in sort-key order. */
export function query(model: DynamoModel, ctx: Ctx, input: Input): unknown {
  const table = model.table(ctx, input.TableName);
  const names = (input.ExpressionAttributeNames as Record<string, string>) ?? {};
  const values = (input.ExpressionAttributeValues as Item) ?? {};
  const expr = String(input.KeyConditionExpression ?? '');
  const m = /^\s*(#?\w+)\s*=\s*(:\w+)\s*(?:AND\s+begins_with\(\s*(#?\w+)\s*,\s*(:\w+)\s*\))?\s*$/i.exec(expr);
  if (!m) throw new ServiceFault('ValidationException', `KeyConditionExpression not modeled: ${expr}`, 400);
  const nameOf = (t: string) => (t.startsWith('#') ? names[t] : t);
  if (nameOf(m[1] as string) !== table.keyName)
    throw new ServiceFault('ValidationException', 'Query condition missed key schema element', 400);
  const pk = values[m[2] as string]?.S;
  if (m[3] !== undefined && nameOf(m[3]) !== table.sortKeyName)
    throw new ServiceFault('ValidationException', 'Query key condition not supported', 400);
  const prefix = m[4] === undefined ? undefined : values[m[4]]?.S;
  const items = [...table.items.values()]
    .filter((i) => i[table.keyName]?.S === pk)
    .filter((i) => prefix === undefined || (i[table.sortKeyName as string]?.S ?? '').startsWith(prefix))
    .sort((a, b) => (a[table.sortKeyName ?? '']?.S ?? '').localeCompare(b[table.sortKeyName ?? '']?.S ?? ''));
  if (input.Select === 'COUNT') return { Count: items.length, ScannedCount: items.length };
  return { Items: items.map((i) => structuredClone(i)), Count: items.length, ScannedCount: items.length };
}
