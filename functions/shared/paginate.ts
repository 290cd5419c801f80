import { PageLimitError } from './errors';

export interface PaginateOptions<P> {
  /** Reads one page; `token` is undefined for the first. */
  readonly fetch: (token: string | undefined) => Promise<P>;
  /** The next page's token (`Marker`, `NextContinuationToken`, `nextToken`), or undefined after the last page. */
  readonly next: (page: P) => string | undefined;
  /** Most pages read: a bound on the loop, far above what the listing is expected to hold. */
  readonly maxPages: number;
  /** What is listed, for the error: `rds:DescribeDBInstances in us-east-1`. */
  readonly what: string;
}

/**
 * The pages of an AWS listing, read one at a time as the caller consumes them: a caller that has seen enough
 * leaves the `for await` loop and no further page is read. More than `maxPages` pages is a `PageLimitError`,
 * never a silently partial answer. Errors of `fetch` pass through unchanged (the caller knows what they mean).
 */
export async function* paginate<P>(options: PaginateOptions<P>): AsyncGenerator<P, void, undefined> {
  let token: string | undefined;
  for (let page = 1; ; page += 1) {
    const out = await options.fetch(token);
    yield out;
    token = options.next(out);
    if (!token) return;
    if (page >= options.maxPages)
      throw new PageLimitError(
        `${options.what} has more than ${options.maxPages} pages, the bound of this listing: ` +
          'remove what is no longer needed, or raise the bound in code if the account really holds that many',
      );
  }
}
