import { type SQL, sql } from "drizzle-orm";

/** The Postgres array types a column of rows travels as. */
export type ArrayType = "text" | "float8" | "int4" | "int8";

/**
 * Rows for one bulk statement, kept as one array per column. `from()` is
 * `unnest($1::text[], $2::float8[], …) as alias(a, b, …)`: a batch of any size is one statement
 * with one parameter per column, where a VALUES list has one per value (Postgres allows 65,535)
 * and makes Postgres parse and plan a statement as long as the batch.
 *
 * Times travel as epoch milliseconds (`float8`) and become timestamps in SQL ({@link atEpochMs}):
 * no Date objects or date strings per row. JSON travels as `text` and is cast where it is used.
 *
 * @example
 * const rows = new BulkRows({ quote_id: "text", total: "int8" });
 * rows.push({ quote_id: "q1", total: 1250 });
 * await tx.execute(sql`insert into quotes_seen (quote_id, total) select quote_id, total from ${rows.from()}`);
 */
export class BulkRows<C extends string> {
  readonly #types: Readonly<Record<C, ArrayType>>;
  readonly #columns: Array<[C, unknown[]]>;
  #length = 0;

  constructor(types: Readonly<Record<C, ArrayType>>) {
    this.#types = types;
    this.#columns = (Object.keys(types) as C[]).map((name) => [name, []]);
  }

  push(row: Readonly<Record<C, unknown>>): void {
    for (const [name, values] of this.#columns) values.push(row[name]);
    this.#length += 1;
  }

  get length(): number {
    return this.#length;
  }

  /** The rows as a table expression for a FROM clause. */
  from(alias = "r"): SQL {
    const arrays = this.#columns.map(([name, values]) => sql`${sql.param(values)}::${sql.raw(this.#types[name])}[]`);
    const names = this.#columns.map(([name]) => sql.identifier(name));
    return sql`unnest(${sql.join(arrays, sql`, `)}) as ${sql.identifier(alias)}(${sql.join(names, sql`, `)})`;
  }
}

/** A timestamp from a column of epoch milliseconds (exact to the microsecond). */
export function atEpochMs(column: string): SQL {
  return sql`to_timestamp(${sql.identifier(column)} / 1000)`;
}
