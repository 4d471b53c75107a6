import { api } from "../../api/client.ts";
import { statusReasonText } from "../../api/problems.ts";
import { Empty, ErrorNote, Loading } from "../../components/feedback.tsx";
import { Price } from "../../components/money.tsx";
import { dateTime, words } from "../send.ts";
import { usePolling } from "../use-polling.ts";
import { OrderActions } from "./order-actions.tsx";
import { Returns } from "./order-returns.tsx";
import { shortId } from "./order-status.ts";
import { returnsOf, stepNote } from "./order-timeline.ts";

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
