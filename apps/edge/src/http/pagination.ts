// OpenAI's list shape from a page fetched with `limit + 1` rows (the extra row only tells
// whether there is a next page), and the one keyset query every D1 listing uses to fetch it.
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

export interface PageQuery {
  limit: number;
  after?: string;
  order: "asc" | "desc";
}

/**
 * One page of `table` in id order (ids sort in creation order, http/ids.ts), after the cursor,
 * with `limit + 1` rows for toPage. `where` holds equality filters; undefined ones are left out.
 * Table and column names are the callers' constants, never request input.
 */
export async function selectPage<R>(
  db: D1Database,
  table: string,
  columns: string,
  where: Record<string, string | undefined>,
  query: PageQuery,
): Promise<R[]> {
  const clauses: string[] = [];
  const args: string[] = [];
  for (const [column, value] of Object.entries(where)) {
    if (value === undefined) continue;
    clauses.push(`${column} = ?`);
    args.push(value);
  }
  const desc = query.order === "desc";
  if (query.after) {
    clauses.push(`id ${desc ? "<" : ">"} ?`);
    args.push(query.after);
  }
  const filter = clauses.length ? `WHERE ${clauses.join(" AND ")}` : "";
  const { results } = await db
    .prepare(`SELECT ${columns} FROM ${table} ${filter} ORDER BY id ${desc ? "DESC" : "ASC"} LIMIT ?`)
    .bind(...args, query.limit + 1)
    .all<R>();
  return results;
}
