import { useState } from "preact/hooks";
import { api } from "../api/client.ts";
import type { components } from "../api/openapi-types.ts";
import { statusReasonText } from "../api/problems.ts";
import { Empty, ErrorNote, Loading } from "../components/feedback.tsx";
import { formatMoney, Price } from "../components/money.tsx";
import { useRequest } from "../components/use-request.ts";
import { Scroll } from "./scroll.tsx";
import { dateTime, send, words } from "./send.ts";
import { usePolling } from "./use-polling.ts";

type Order = components["schemas"]["Order"];
type Status = Order["status"];

const statuses: Status[] = [
  "pending",
  "confirmed",
  "rejected",
  "cancelled",
  "shipped",
  "delivered",
  "returned",
];

/** The end of an id: UUIDv7s share their leading (time) digits, so the tail tells orders apart. */
const shortId = (id: string) => id.slice(-8);

/** Everyone's orders, newest first, narrowed by status, a page at a time. */
export function Orders() {
  const [status, setStatus] = useState<Status | "">("");
  // The cursors of the pages before this one, so that "Previous" can go back.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [reloads, setReloads] = useState(0);
  const cursor = cursors.at(-1);
  const orders = useRequest(
    () =>
      api.GET("/api/orders", {
        params: { query: { all: "true", limit: 20, cursor, ...(status ? { status } : {}) } },
      }),
    [status, cursor, reloads],
  );
  return (
    <>
      <h1>Orders</h1>
      <form class="actions" onSubmit={(event) => event.preventDefault()}>
        <label>
          Status
          <select
            value={status}
            onChange={(event) => {
              setStatus(event.currentTarget.value as Status | "");
              setCursors([undefined]);
            }}
          >
            <option value="">Any status</option>
            {statuses.map((option) => (
              <option key={option} value={option}>
                {words(option)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="secondary" onClick={() => setReloads((value) => value + 1)}>
          Reload
        </button>
      </form>
      <ErrorNote message={orders.error} />
      {orders.loading && !orders.data && <Loading what="orders" />}
      {orders.data && orders.data.items.length === 0 && <Empty>No orders{status && ` ${status}`}.</Empty>}
      {orders.data && orders.data.items.length > 0 && (
        <Scroll label="Orders">
          <table>
            <caption class="visually-hidden">Orders, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Placed</th>
                <th scope="col">Ship to</th>
                <th scope="col">Status</th>
                <th scope="col">Total</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {orders.data.items.map((order) => (
                <tr key={order.id}>
                  <th scope="row">
                    <a href={`/console/orders/${order.id}`}>
                      <span class="visually-hidden">Order </span>…{shortId(order.id)}
                    </a>
                  </th>
                  <td>{dateTime(order.createdAt)}</td>
                  <td>{order.shippingAddress.name}</td>
                  <td data-testid="order-status">{order.status}</td>
                  <td>
                    <Price money={order.total} />
                  </td>
                  <td>
                    <OrderActions order={order} onChange={() => setReloads((value) => value + 1)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      <p class="row">
        {cursors.length > 1 && (
          <button type="button" class="secondary" onClick={() => setCursors(cursors.slice(0, -1))}>
            Previous page
          </button>
        )}
        {orders.data?.nextCursor && (
          <button
            type="button"
            class="secondary"
            onClick={() => setCursors([...cursors, orders.data?.nextCursor ?? undefined])}
          >
            Next page
          </button>
        )}
      </p>
    </>
  );
}

/** Ship (with an optional carrier and tracking number) a confirmed order, deliver a shipped one. */
function OrderActions({ order, onChange }: { order: Order; onChange: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const label = `order …${shortId(order.id)}`;

  async function run(request: ReturnType<typeof send>) {
    setBusy(true);
    setError(null);
    const answer = await request;
    setBusy(false);
    if (answer.ok) onChange();
    else setError(answer.message);
  }

  function ship(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const carrier = String(form.get("carrier")).trim();
    const trackingNumber = String(form.get("trackingNumber")).trim();
    run(
      send(
        api.POST("/api/orders/{id}/ship", {
          params: { path: { id: order.id } },
          body: { ...(carrier ? { carrier } : {}), ...(trackingNumber ? { trackingNumber } : {}) },
        }),
      ),
    );
  }

  if (order.status === "confirmed") {
    return (
      <>
        <form class="actions" onSubmit={ship} aria-label={`Ship ${label}`}>
          <label>
            Carrier
            <input name="carrier" maxLength={100} size={8} />
          </label>
          <label>
            Tracking number
            <input name="trackingNumber" maxLength={100} size={10} />
          </label>
          <button type="submit" disabled={busy}>
            Ship <span class="visually-hidden">{label}</span>
          </button>
        </form>
        <ErrorNote message={error} />
      </>
    );
  }
  if (order.status === "shipped") {
    return (
      <>
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            run(send(api.POST("/api/orders/{id}/deliver", { params: { path: { id: order.id } } })))
          }
        >
          Mark delivered <span class="visually-hidden">{label}</span>
        </button>
        <ErrorNote message={error} />
      </>
    );
  }
  return null;
}

type TimelineItem = { type: string; at: string; detail: Record<string, unknown> };

/** One sentence for the steps whose detail says something an operator acts on. */
function stepNote(item: TimelineItem): string | null {
  const detail = item.detail;
  const money = (value: unknown) =>
    value && typeof value === "object" && "amount" in value
      ? formatMoney(value as components["schemas"]["Money"])
      : "";
  switch (item.type) {
    case "OrderShipped":
      return `Carrier ${detail.carrier ?? "not given"}, tracking number ${detail.trackingNumber ?? "not given"}`;
    case "PaymentRequested":
    case "PaymentRefunded":
      return money(detail.amount);
    case "PaymentDeclined":
    case "OrderRejected":
    case "OrderCancelled":
      return typeof detail.reason === "string" ? (statusReasonText(detail.reason) ?? null) : null;
    case "ReturnRequested":
      return typeof detail.reason === "string" ? `Reason: ${detail.reason}` : null;
    case "StockReservationFailed":
      return Array.isArray(detail.shortSkus) ? `Short: ${detail.shortSkus.join(", ")}` : null;
    default:
      return null;
  }
}

interface ReturnEntry {
  id: string;
  requestedAt: string;
  reason: string;
  received: boolean;
}

/**
 * The order's returns, read from its timeline: the order answer does not list them, and the API
 * has no list of returns, so a ReturnRequested step is where an admin finds a return's id.
 */
function returnsOf(items: TimelineItem[]): ReturnEntry[] {
  const received = new Set(
    items.filter((item) => item.type === "ReturnReceived").map((item) => String(item.detail.returnId)),
  );
  return items
    .filter((item) => item.type === "ReturnRequested")
    .map((item) => ({
      id: String(item.detail.returnId),
      requestedAt: item.at,
      reason: String(item.detail.reason ?? ""),
      received: received.has(String(item.detail.returnId)),
    }));
}

/** One order: its lines, its actions, its returns and its saga's steps, read every two seconds. */
export function OrderDetail({ id }: { id: string }) {
  const order = usePolling(() => api.GET("/api/orders/{id}", { params: { path: { id } } }), 2000, [id]);
  const timeline = usePolling(
    () => api.GET("/api/orders/{id}/timeline", { params: { path: { id } } }),
    2000,
    [id],
  );
  const refresh = () => {
    order.refresh();
    timeline.refresh();
  };
  return (
    <>
      <p>
        <a href="/console/orders">All orders</a>
      </p>
      <h1>Order …{shortId(id)}</h1>
      <ErrorNote message={order.error} />
      {!order.data && !order.error && <Loading what="the order" />}
      {order.data && (
        <>
          <p class="big">
            Status: <strong data-testid="order-status">{order.data.status}</strong>
            {order.data.statusReason && ` (${statusReasonText(order.data.statusReason)})`}
          </p>
          <p class="muted">
            Id <code>{order.data.id}</code>, placed {dateTime(order.data.createdAt)}
          </p>
          <OrderActions order={order.data} onChange={refresh} />
          <h2>Items</h2>
          <ul class="lines">
            {order.data.items.map((line) => (
              <li key={line.productId}>
                <span>
                  {line.quantity} × {line.name} <span class="muted">({line.sku})</span>
                </span>
                <Price money={line.lineTotal} />
              </li>
            ))}
            <li>
              <strong>Total</strong>
              <Price money={order.data.total} />
            </li>
          </ul>
          <h2>Ship to</h2>
          <address>
            {order.data.shippingAddress.name}
            <br />
            {order.data.shippingAddress.line1}
            {order.data.shippingAddress.line2 && (
              <>
                <br />
                {order.data.shippingAddress.line2}
              </>
            )}
            <br />
            {order.data.shippingAddress.postalCode} {order.data.shippingAddress.city},{" "}
            {order.data.shippingAddress.country}
          </address>
        </>
      )}
      <ErrorNote message={timeline.error} />
      {timeline.data && <Returns entries={returnsOf(timeline.data.items)} onChange={refresh} />}
      <section aria-labelledby="saga-steps">
        <h2 id="saga-steps">Saga timeline</h2>
        {!timeline.data && !timeline.error && <Loading what="the timeline" />}
        {timeline.data && timeline.data.items.length === 0 && <Empty>No steps yet.</Empty>}
        <ol class="steps" aria-label="Saga steps, oldest first">
          {timeline.data?.items.map((item, index) => {
            const note = stepNote(item);
            return (
              <li key={`${index}-${item.type}`}>
                <time dateTime={item.at}>{dateTime(item.at)}</time> <strong>{words(item.type)}</strong>
                {note && <span>: {note}</span>}
                {Object.keys(item.detail).length > 0 && (
                  <details>
                    <summary>
                      Event detail <span class="visually-hidden">of {words(item.type)}</span>
                    </summary>
                    <pre class="detail">{JSON.stringify(item.detail, null, 2)}</pre>
                  </details>
                )}
              </li>
            );
          })}
        </ol>
      </section>
    </>
  );
}

function Returns({ entries, onChange }: { entries: ReturnEntry[]; onChange: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  if (entries.length === 0) return null;

  async function receive(returnId: string) {
    setError(null);
    const answer = await send(api.POST("/api/returns/{id}/receive", { params: { path: { id: returnId } } }));
    if (answer.ok) {
      setNote(`Return …${shortId(returnId)} received; the refund and restock follow.`);
      onChange();
    } else setError(answer.message);
  }

  return (
    <section aria-labelledby="returns">
      <h2 id="returns">Returns</h2>
      <ErrorNote message={error} />
      {note && <p role="status">{note}</p>}
      <ul class="lines">
        {entries.map((entry) => (
          <li key={entry.id}>
            <span>
              Return …{shortId(entry.id)}, requested {dateTime(entry.requestedAt)}: {entry.reason}
            </span>
            {entry.received ? (
              <span class="muted">Received</span>
            ) : (
              <button type="button" onClick={() => receive(entry.id)}>
                Receive return <span class="visually-hidden">…{shortId(entry.id)}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
