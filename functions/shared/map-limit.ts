/**
 * Runs `fn` over `items`, at most `limit` at a time, and returns the results in the order of `items`: a batch of
 * targets reads its resources in parallel without bursting an API's rate. The first rejection rejects the whole
 * (the calls already started finish on their own).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
