import {
  DynamoDBClient,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { AccountModel } from '../../support/account/model';

const REGION = 'us-west-2';
let restore: () => void = () => undefined;
afterEach(() => restore());

function setup() {
  const model = new AccountModel();
  model.addTable(REGION, 'approvals', 'execution', 'item');
  restore = model.wireSdkMocks();
  return { model, client: new DynamoDBClient({ region: REGION, maxAttempts: 1 }) };
}

const put = (item: string) => ({
  Put: {
    TableName: 'approvals',
    Item: { execution: { S: 'run-1' }, item: { S: item } },
    ConditionExpression: 'attribute_not_exists(#sk)',
    ExpressionAttributeNames: { '#sk': 'item' },
  },
});

describe('the account model’s DynamoDB TransactWriteItems', () => {
  it('writes every item when every condition holds', async () => {
    const { model, client } = setup();

    await client.send(new TransactWriteItemsCommand({ TransactItems: [put('a'), put('b')] }));

    expect(model.tableItems(REGION, 'approvals')).toHaveLength(2);
  });

  it('writes nothing and names each item’s reason when one condition fails', async () => {
    const { model, client } = setup();
    await client.send(new TransactWriteItemsCommand({ TransactItems: [put('b')] }));

    const error = await client
      .send(new TransactWriteItemsCommand({ TransactItems: [put('a'), put('b')] }))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
    expect(model.tableItems(REGION, 'approvals')).toHaveLength(1);
  });

  it('refuses two operations on one item', async () => {
    const { client } = setup();

    await expect(client.send(new TransactWriteItemsCommand({ TransactItems: [put('a'), put('a')] }))).rejects.toThrow(
      'Transaction request cannot include multiple operations on one item',
    );
  });

  it('queries one partition by sort-key prefix, in sort-key order', async () => {
    const { client } = setup();
    await client.send(
      new TransactWriteItemsCommand({ TransactItems: [put('decision#b'), put('decision#a'), put('request')] }),
    );

    const out = await client.send(
      new QueryCommand({
        TableName: 'approvals',
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :p)',
        ExpressionAttributeNames: { '#pk': 'execution', '#sk': 'item' },
        ExpressionAttributeValues: { ':pk': { S: 'run-1' }, ':p': { S: 'decision#' } },
      }),
    );

    expect(out.Items?.map((i) => i.item?.S)).toEqual(['decision#a', 'decision#b']);
  });
});
