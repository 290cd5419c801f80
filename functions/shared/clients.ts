/**
 * AWS SDK clients, created once per class and region and reused across invocations. Each handler imports
 * only the client classes it uses: loading an SDK client package is most of a function's cold start, so a
 * shared module that imported every client would make each function pay for all of them.
 */

/** Retry settings of every client: the SDK's standard mode (token bucket, jittered backoff), three attempts. */
export const CLIENT_RETRY = { retryMode: 'standard', maxAttempts: 3 } as const;

/** The region Lambda runs in. */
export function homeRegion(): string {
  const region = process.env.AWS_REGION;
  if (!region) throw new Error('AWS_REGION is not set: Lambda sets it; set it when running locally');
  return region;
}

type ClientClass<T> = new (config: { region: string; retryMode: string; maxAttempts: number }) => T;

const cache = new Map<ClientClass<unknown>, Map<string, unknown>>();

/** The client of `Client` for `region` (default: the function's own), created on first use with `CLIENT_RETRY`. */
export function awsClient<T>(Client: ClientClass<T>, region: string = homeRegion()): T {
  let byRegion = cache.get(Client);
  if (!byRegion) {
    byRegion = new Map();
    cache.set(Client, byRegion);
  }
  if (!byRegion.has(region)) byRegion.set(region, new Client({ region, ...CLIENT_RETRY }));
  return byRegion.get(region) as T;
}
