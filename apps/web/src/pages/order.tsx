import { useEffect, useState } from "preact/hooks";
import { useRoute } from "preact-iso";
import { api } from "../api/client.ts";
import type { components } from "../api/openapi-types.ts";
import { problemMessage, statusReasonText } from "../api/problems.ts";
import { ErrorNote, Loading } from "../components/feedback.tsx";
import { Price } from "../components/money.tsx";
import { SignedIn } from "../components/signed-in.tsx";

type Order = components["schemas"]["Order"];
type TimelineEntry = { type: string; at: string };

/** Statuses after which nothing changes unless someone acts: polling stops there. */
const settled = new Set<Order["status"]>(["rejected", "cancelled", "delivered", "returned"]);

export function OrderPage() {
  const { params } = useRoute();
  const id = params.id ?? "";
  return (
    <SignedIn next={`/orders/${id}`}>
      <OrderView id={id} />
    </SignedIn>
  );
}

/** The order and its timeline, read again every second until the order settles. */
function OrderView({ id }: { id: string }) {
  const [order, setOrder] = useState<Order | null>(null);
  const [timeline, setTimeline] = useState<TimelineEntry[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let active = true;
    async function refresh() {
      const [current, events] = await Promise.all([
        api.GET("/api/orders/{id}", { params: { path: { id } } }),
        api.GET("/api/orders/{id}/timeline", { params: { path: { id } } }),
      ]).catch((failure: unknown) => [{ data: undefined, error: failure }, { data: undefined }] as const);
      if (!active) return;
      if (current.data) {
        setOrder(current.data);
        setError(null);
      } else setError(problemMessage(current.error));
      if (events.data) setTimeline(events.data.items);
      if (!current.data || !settled.has(current.data.status)) timer = setTimeout(refresh, 1000);
    }
    refresh();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [id]);

  if (!order) return error ? <ErrorNote message={error} /> : <Loading what="the order" />;
  const reason = statusReasonText(order.statusReason);
  return (
    <>
      <h1>Order {order.id.slice(-8)}</h1>
      <p class="big" role="status" aria-live="polite">
        Status: <strong data-testid="order-status">{order.status}</strong>
        {order.status === "pending" && <span class="muted"> (updating live)</span>}
      </p>
      {reason && (
        <p class="error" data-testid="order-reason">
          {reason}
        </p>
      )}
      <ErrorNote message={error} />
      <ul class="lines">
        {order.items.map((line) => (
          <li key={line.productId}>
            <span>
              {line.quantity} × {line.name}
            </span>
            <Price money={line.lineTotal} />
          </li>
        ))}
      </ul>
      <p class="big">
        Total: <Price money={order.total} />
      </p>
      <h2>Timeline</h2>
      <ol class="timeline">
        {timeline.map((entry) => (
          <li key={`${entry.at}-${entry.type}`}>
            <time dateTime={entry.at}>{new Date(entry.at).toLocaleTimeString()}</time> {entry.type}
          </li>
        ))}
      </ol>
    </>
  );
}
