import { batchTargets } from '../../statemachines/check-fleet';

describe('batchTargets', () => {
  const bucket = (n: number) => ({ kind: 'bucket', bucket: `b${n}` });
  const database = (n: number) => ({ kind: 'database', id: `d${n}` });

  it('cuts each kind into batches of at most the size, never mixing kinds, in the targets’ order', () => {
    const batches = batchTargets([bucket(1), database(1), bucket(2), bucket(3), database(2)], 2);

    expect(batches).toEqual([
      { kind: 'bucket', targets: [bucket(1), bucket(2)] },
      { kind: 'bucket', targets: [bucket(3)] },
      { kind: 'database', targets: [database(1), database(2)] },
    ]);
  });

  it('gives no batch for no targets and refuses a size below 1', () => {
    expect(batchTargets([], 25)).toEqual([]);
    expect(() => batchTargets([bucket(1)], 0)).toThrow('batch size must be a positive integer (got 0)');
  });
});
