/**
 * Following a paged search to its end, written once: MLflow's clients ask again with
 * `next_page_token` until a page comes back without one.
 *
 * @example
 * const runs = await allItems((pageToken) => store.searchRuns({ experimentIds: ['0'], pageToken }));
 * const shown = await collectPages(fetchPage, { pageToken: flags['page-token'], all: flags.all });
 */
import type { PagedList } from './entities.js';

export type FetchPage<T> = (pageToken?: string) => Promise<PagedList<T>>;

/** Every page from `pageToken` on (the first page when unset). */
export async function* pages<T>(fetch: FetchPage<T>, pageToken?: string): AsyncGenerator<PagedList<T>, void, undefined> {
  let token = pageToken;
  do {
    const page = await fetch(token);
    yield page;
    token = page.nextPageToken || undefined;
  } while (token);
}

/** The items of every page from `pageToken` on. */
export async function allItems<T>(fetch: FetchPage<T>, pageToken?: string): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages(fetch, pageToken)) out.push(...page.items);
  return out;
}

/** One page, or with `all` the items of every page (and no token left). */
export async function collectPages<T>(fetch: FetchPage<T>, opts: { pageToken?: string; all?: boolean }): Promise<PagedList<T>> {
  if (!opts.all) return fetch(opts.pageToken);
  return { items: await allItems(fetch, opts.pageToken) };
}
