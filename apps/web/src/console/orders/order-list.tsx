import { useState } from "preact/hooks";
import { api } from "../../api/client.ts";
import { Empty, ErrorNote, Loading } from "../../components/feedback.tsx";
import { Price } from "../../components/money.tsx";
import { useRequest } from "../../components/use-request.ts";
import { PageButtons } from "../page-buttons.tsx";
import { Scroll } from "../scroll.tsx";
import { dateTime, words } from "../send.ts";
import { OrderActions } from "./order-actions.tsx";
import { type Status, shortId, statuses } from "./order-status.ts";

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
      <PageButtons cursors={cursors} nextCursor={orders.data?.nextCursor} onChange={setCursors} />
    </>
  );
}
