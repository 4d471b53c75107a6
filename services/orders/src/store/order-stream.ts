import type { EventContext } from "@mercato/contracts";
import type { UnitOfWork } from "@mercato/platform";
import type { Kysely, Transaction } from "kysely";
import { validate as isUuid } from "uuid";
import { evolve, type Order, type OrderEvent, type RecordedEvent, replay } from "../domain/order.ts";
import { messagesFor } from "../domain/order-messages.ts";
import { appendAndProject } from "./order-projection.ts";
import { settlePaymentToken } from "./payment-tokens.ts";
import type { OrdersTables, Writer } from "./tables.ts";

type Reader = Kysely<OrdersTables> | Transaction<OrdersTables>;

export interface OrderChange {
  after: Order;
  /** The events this change appended, none when the command changed nothing. */
  events: OrderEvent[];
  /** The customer's sealed token, when the change asks payments for the money. */
  sealedToken?: string;
}

/** Order ids are UUIDs; anything else names no order (and must not reach a uuid column). */
export function isOrderId(id: string): boolean {
  return isUuid(id);
}

export async function readStream(db: Reader, orderId: string): Promise<RecordedEvent[]> {
  if (!isOrderId(orderId)) return [];
  const rows = await db
    .selectFrom("order_events")
    .select(["version", "type", "detail", "at"])
    .where("order_id", "=", orderId)
    .orderBy("version")
    .execute();
  return rows.map(toRecordedEvent);
}

function toRecordedEvent(row: { type: string; detail: unknown; version: number; at: Date }): RecordedEvent {
  return { type: row.type, detail: row.detail, version: row.version, at: row.at } as RecordedEvent;
}

/** The order as its stream tells it. */
export async function loadOrder(db: Reader, orderId: string): Promise<Order | undefined> {
  return replay(orderId, await readStream(db, orderId));
}

/**
 * Appends the events of a new order and writes its views, in the caller's transaction. The
 * primary key (order_id, version) refuses a second writer of the same version.
 */
export async function startOrder(
  transaction: Writer,
  orderId: string,
  events: OrderEvent[],
  at: Date,
): Promise<OrderChange> {
  return append(transaction, orderId, undefined, events, at);
}

/**
 * Runs one decision on an order: locks its view row so that commands and saga answers for the
 * same order take turns, rebuilds the order from its stream, appends what `decide` returns and
 * updates the views, all in `transaction`. Undefined when the order does not exist.
 */
export async function changeOrder(
  transaction: Writer,
  orderId: string,
  decide: (order: Order) => OrderEvent[],
  at: Date = new Date(),
): Promise<OrderChange | undefined> {
  if (!isOrderId(orderId)) return undefined;
  // Lock first, then read: a read in the locking statement would use the snapshot taken before
  // the lock wait, and miss the events of the writer it waited for.
  const locked = await transaction
    .selectFrom("orders")
    .select("id")
    .where("id", "=", orderId)
    .forUpdate()
    .executeTakeFirst();
  if (!locked) return undefined;
  const before = await loadOrder(transaction, orderId);
  if (!before) return undefined;
  const events = decide(before);
  if (events.length === 0) return { after: before, events };
  const change = await append(transaction, orderId, before, events, at);
  const sealedToken = await settlePaymentToken(transaction, orderId, events);
  return sealedToken === undefined ? change : { ...change, sealedToken };
}

async function append(
  transaction: Writer,
  orderId: string,
  before: Order | undefined,
  events: OrderEvent[],
  at: Date,
): Promise<OrderChange> {
  const firstVersion = (before?.version ?? 0) + 1;
  const recorded: RecordedEvent[] = events.map((event, index) => ({
    ...event,
    version: firstVersion + index,
    at,
  }));
  let after = before;
  for (const event of recorded) after = evolve(after, event, orderId);
  if (!after) throw new Error(`Order ${orderId} has no events`);
  await appendAndProject(transaction, before, after, recorded);
  return { after, events };
}

/**
 * changeOrder, then what the other services hear of the change, published in the same unit of
 * work: every path that moves an existing order (commands, saga answers, the payment timeout)
 * goes through here.
 */
export async function changeOrderAndPublish(
  { transaction, publish }: UnitOfWork<OrdersTables>,
  orderId: string,
  decide: (order: Order) => OrderEvent[],
  context: EventContext,
  at?: Date,
): Promise<OrderChange | undefined> {
  const change = await changeOrder(transaction, orderId, decide, at);
  if (change) await publish(messagesFor(change.after, change.events, context, change.sealedToken));
  return change;
}
