import { PageLimitError } from '../../../functions/shared/errors';
import { paginate } from '../../../functions/shared/paginate';

interface Page {
  readonly items: number[];
  readonly next?: string;
}

/** A listing of `pages` pages of two items each, recording the token of every call. */
function listing(pages: number) {
  const tokens: (string | undefined)[] = [];
  const fetch = async (token: string | undefined): Promise<Page> => {
    tokens.push(token);
    const index = token === undefined ? 0 : Number(token);
    return { items: [2 * index, 2 * index + 1], next: index + 1 < pages ? String(index + 1) : undefined };
  };
  return { fetch, tokens, next: (page: Page) => page.next };
}

async function collect(pages: AsyncIterable<Page>): Promise<number[]> {
  const items: number[] = [];
  for await (const page of pages) items.push(...page.items);
  return items;
}

describe('paginate', () => {
  it('reads every page, passing each page’s token to the next call', async () => {
    const { fetch, next, tokens } = listing(3);

    const items = await collect(paginate({ fetch, next, maxPages: 5, what: 'the test listing' }));

    expect(items).toEqual([0, 1, 2, 3, 4, 5]);
    expect(tokens).toEqual([undefined, '1', '2']);
  });

  it('reads a single page when the first answer has no token', async () => {
    const { fetch, next, tokens } = listing(1);

    const items = await collect(paginate({ fetch, next, maxPages: 1, what: 'the test listing' }));

    expect(items).toEqual([0, 1]);
    expect(tokens).toEqual([undefined]);
  });

  it('reads exactly maxPages pages when the last of them ends the listing', async () => {
    const { fetch, next, tokens } = listing(3);

    const items = await collect(paginate({ fetch, next, maxPages: 3, what: 'the test listing' }));

    expect(items).toHaveLength(6);
    expect(tokens).toHaveLength(3);
  });

  it('stops reading when the caller leaves the loop early', async () => {
    const { fetch, next, tokens } = listing(10);
    const seen: number[] = [];

    for await (const page of paginate({ fetch, next, maxPages: 10, what: 'the test listing' })) {
      seen.push(...page.items);
      if (seen.length >= 3) break;
    }

    expect(seen).toEqual([0, 1, 2, 3]);
    expect(tokens).toEqual([undefined, '1']);
  });

  it('fails with PageLimitError naming the listing and the bound when more pages remain after maxPages', async () => {
    const { fetch, next, tokens } = listing(4);

    const read = collect(paginate({ fetch, next, maxPages: 3, what: 'rds:DescribeDBInstances in us-east-1' }));

    await expect(read).rejects.toThrow(PageLimitError);
    await expect(read).rejects.toMatchObject({
      name: 'PageLimitError',
      message: expect.stringMatching(/^rds:DescribeDBInstances in us-east-1 has more than 3 pages/),
    });
    expect(tokens).toEqual([undefined, '1', '2']);
  });

  it('passes an error of the listing call through unchanged', async () => {
    const denied = Object.assign(new Error('no'), { name: 'AccessDenied' });

    const read = collect(
      paginate({ fetch: () => Promise.reject(denied), next: () => undefined, maxPages: 2, what: 'x' }),
    );

    await expect(read).rejects.toBe(denied);
  });
});
