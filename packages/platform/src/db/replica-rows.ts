import { type Expression, type ExpressionBuilder, type RawBuilder, sql } from "kysely";

/**
 * Replicas (a service's copy of another's data, fed by events) stamp each row with the event that
 * last set it, in `event_time` and `event_id`. An upsert takes the incoming row only when its
 * event is newer (time, then id), so a replay or a late, older event changes nothing and
 * concurrent handlers need no lock: `.onConflict((c) => c.column(key).doUpdateSet(takeIncoming([...])).where(newerEvent(table)))`.
 */
export function newerEvent(
  table: string,
  columns: { time: string; id: string } = { time: "event_time", id: "event_id" },
): RawBuilder<boolean> {
  const stored = (column: string) => sql.ref(`${table}.${column}`);
  const incoming = (column: string) => sql.ref(`excluded.${column}`);
  return sql<boolean>`(${incoming(columns.time)}, ${incoming(columns.id)}) > (${stored(columns.time)}, ${stored(columns.id)})`;
}

/** The `doUpdateSet` of an upsert that takes each of `columns` from the row it tried to insert. */
export function takeIncoming<Column extends string>(columns: readonly Column[]) {
  // biome-ignore lint/suspicious/noExplicitAny: serves any table's upsert; the insert beside it checks the columns.
  return (eb: ExpressionBuilder<any, any>): Record<Column, Expression<any>> =>
    Object.fromEntries(
      columns.map((column): [Column, Expression<unknown>] => [column, eb.ref(`excluded.${column}`)]),
    ) as Record<
      Column,
      // biome-ignore lint/suspicious/noExplicitAny: each column keeps its own type in the table.
      Expression<any>
    >;
}
