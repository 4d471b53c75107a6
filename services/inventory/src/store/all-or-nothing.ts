import type { UnitOfWork } from "@mercato/platform";
import { sql } from "kysely";
import type { StockLine } from "../domain/stock.ts";
import type { InventoryTables } from "./tables.ts";

export type AllOrNothing<Taken> =
  | { taken: Taken[]; short?: undefined }
  | { taken?: undefined; short: string };

/**
 * Takes every line with `take` (one conditional UPDATE that answers undefined when the sku has too
 * little), in the order given, or none: when one line is short, the lines taken before it are rolled
 * back to a savepoint and the short sku is answered. A single line has nothing to undo and needs
 * no savepoint.
 */
export async function takeAllOrNothing<Taken>(
  writer: UnitOfWork<InventoryTables>,
  lines: readonly StockLine[],
  take: (line: StockLine) => Promise<Taken | undefined>,
): Promise<AllOrNothing<Taken>> {
  const { transaction } = writer;
  const undoable = lines.length > 1;
  if (undoable) await sql`SAVEPOINT take_lines`.execute(transaction);
  const taken: Taken[] = [];
  for (const line of lines) {
    const row = await take(line);
    if (row === undefined) {
      if (undoable) {
        await sql`ROLLBACK TO SAVEPOINT take_lines`.execute(transaction);
        await sql`RELEASE SAVEPOINT take_lines`.execute(transaction);
      }
      return { short: line.sku };
    }
    taken.push(row);
  }
  if (undoable) await sql`RELEASE SAVEPOINT take_lines`.execute(transaction);
  return { taken };
}
