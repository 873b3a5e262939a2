// OpenAI's list shape from a page fetched with `limit + 1` rows: the extra row only tells
// whether there is a next page.
export interface ListPage<T> {
  object: "list";
  data: T[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

export function toPage<R, T extends { id: string }>(rows: R[], limit: number, map: (row: R) => T): ListPage<T> {
  const data = rows.slice(0, limit).map(map);
  return {
    object: "list",
    data,
    has_more: rows.length > limit,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
}
