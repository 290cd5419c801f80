import type { _Object, ListObjectsV2CommandInput, ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';

/** S3's page size limit for ListObjectsV2. */
export const LIST_PAGE_LIMIT = 1000;

/** First index whose key is greater than `bound` (or at least `bound` when `inclusive`): binary search. */
function search(keys: readonly string[], bound: string, inclusive: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (inclusive ? keys[mid]! < bound : keys[mid]! <= bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * ListObjectsV2 as S3 answers it over an in-memory bucket (for `mockClient(...).on(ListObjectsV2Command)
 * .callsFake(...)`): keys in key order, Prefix, StartAfter, ContinuationToken, MaxKeys at most 1,000.
 * Binary search keeps a 100,000-object bucket fast.
 */
export function fakeListing(
  objects: readonly _Object[],
): (input: ListObjectsV2CommandInput) => ListObjectsV2CommandOutput {
  const sorted = [...objects].sort((a, b) => (a.Key! < b.Key! ? -1 : a.Key! > b.Key! ? 1 : 0));
  const keys = sorted.map((o) => o.Key!);
  return (input) => {
    const prefix = input.Prefix ?? '';
    const after = input.ContinuationToken ?? input.StartAfter;
    const max = Math.min(input.MaxKeys ?? LIST_PAGE_LIMIT, LIST_PAGE_LIMIT);
    let i = Math.max(search(keys, prefix, true), after === undefined ? 0 : search(keys, after, false));
    const page: _Object[] = [];
    while (i < keys.length && keys[i]!.startsWith(prefix) && page.length < max) page.push(sorted[i++]!);
    const truncated = i < keys.length && keys[i]!.startsWith(prefix);
    return {
      $metadata: {},
      Contents: page,
      KeyCount: page.length,
      MaxKeys: max,
      IsTruncated: truncated,
      NextContinuationToken: truncated ? page[page.length - 1]!.Key : undefined,
    };
  };
}
