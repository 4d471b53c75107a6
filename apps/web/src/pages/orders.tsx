import { api } from "../api/client.ts";
import { Empty, ErrorNote, Loading } from "../components/feedback.tsx";
import { Price } from "../components/money.tsx";
import { SignedIn } from "../components/signed-in.tsx";
import { useRequest } from "../components/use-request.ts";

export function OrdersPage() {
  return (
    <SignedIn next="/orders">
      <Orders />
    </SignedIn>
  );
}

/** The signed-in user's orders (the first 50), in the order the API lists them. */
function Orders() {
  const orders = useRequest(() => api.GET("/api/orders", { params: { query: { limit: 50 } } }), []);
  return (
    <>
      <h1>Your orders</h1>
      {orders.loading && <Loading what="your orders" />}
      <ErrorNote message={orders.error} />
      {orders.data && orders.data.items.length === 0 && (
        <Empty>
          No orders yet. <a href="/search">Start shopping</a>.
        </Empty>
      )}
      <ul class="lines">
        {orders.data?.items.map((order) => (
          <li key={order.id}>
            <a href={`/orders/${order.id}`}>Order {order.id.slice(-8)}</a>
            <time dateTime={order.createdAt}>{new Date(order.createdAt).toLocaleString()}</time>
            <span>{order.status}</span>
            <Price money={order.total} />
          </li>
        ))}
      </ul>
    </>
  );
}
