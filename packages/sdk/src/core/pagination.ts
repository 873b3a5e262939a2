// Cursor pagination over the API's list shape `{ data, has_more, last_id }`: `page()` fetches
// one page; `for await` walks every item, asking for the next page with `after = last_id`
// while `has_more` is true. Nothing is fetched until one of them is used.

/** The fields of a list response that pagination relies on. */
export interface CursorPageShape {
  data: unknown[];
  has_more: boolean;
  last_id: string | null;
}

export type PageItem<P extends CursorPageShape> = P["data"][number];

export class PageIterator<P extends CursorPageShape> implements AsyncIterable<PageItem<P>> {
  private first: Promise<P> | undefined;

  constructor(
    /** Fetches the page after cursor `after` (the first page when undefined). */
    private readonly fetchPage: (after: string | undefined) => Promise<P>,
    private readonly after: string | undefined,
  ) {}

  /** The first page (fetched once, then cached). */
  page(): Promise<P> {
    this.first ??= this.fetchPage(this.after);
    return this.first;
  }

  /** Every page, in order. */
  async *pages(): AsyncGenerator<P> {
    let page = await this.page();
    yield page;
    while (page.has_more && page.last_id) {
      page = await this.fetchPage(page.last_id);
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<PageItem<P>> {
    for await (const page of this.pages()) yield* page.data as PageItem<P>[];
  }
}
