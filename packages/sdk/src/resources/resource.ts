// Base of every resource class: holds the transport and builds paths and paginated lists.
import type { Transport } from "../core/http";
import type { RequestOptions } from "../core/options";
import { type CursorPageShape, PageIterator } from "../core/pagination";

export abstract class APIResource {
  constructor(protected readonly transport: Transport) {}

  /** A list endpoint as a lazy, async-iterable PageIterator. */
  protected paginate<P extends CursorPageShape>(
    path: string,
    query: { after?: string | undefined } & Record<string, string | number | undefined> = {},
    options?: RequestOptions,
  ): PageIterator<P> {
    return new PageIterator<P>(
      (after) => this.transport.json<P>({ method: "GET", path, query: { ...query, after } }, options),
      query.after,
    );
  }
}

/** A path segment from an id, escaped. */
export const seg = (id: string): string => encodeURIComponent(id);
