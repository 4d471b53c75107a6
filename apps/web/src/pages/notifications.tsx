import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "../api/client.ts";
import { markRead, type Notification, useArrivals, useUnreadCount } from "../api/notifications.ts";
import { problemMessage } from "../api/problems.ts";
import { Empty, ErrorNote, Loading } from "../components/feedback.tsx";
import { SignedIn } from "../components/signed-in.tsx";
import { loadWatches, removeWatch, type Watch, watchText } from "../components/watches.tsx";

export function NotificationsPage() {
  return (
    <SignedIn next="/notifications">
      <h1>Notifications</h1>
      <Inbox />
      <Watches />
    </SignedIn>
  );
}

const pageSize = 20;

/** The inbox, newest first; what the stream brings is added on top as it arrives. */
function Inbox() {
  const unread = useUnreadCount();
  const [items, setItems] = useState<Notification[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  async function load(cursor?: string) {
    setLoading(true);
    const answer = await api
      .GET("/api/notifications", { params: { query: { limit: pageSize, ...(cursor ? { cursor } : {}) } } })
      .catch((failure: unknown) => ({ data: undefined, error: failure }));
    setLoading(false);
    if (!answer.data) {
      setError(problemMessage(answer.error));
      return;
    }
    const page = answer.data;
    setError(null);
    // The stream may have brought some of these already.
    setItems((previous) => [
      ...previous,
      ...page.items.filter((item) => !previous.some((known) => known.id === item.id)),
    ]);
    setNextCursor(page.nextCursor);
  }

  useEffect(() => {
    void load();
  }, []);
  useArrivals(
    useCallback((arrived: Notification) => {
      setItems((previous) =>
        previous.some((known) => known.id === arrived.id) ? previous : [arrived, ...previous],
      );
    }, []),
  );

  async function read(id?: string) {
    setError(null);
    const failure = await markRead(id);
    if (failure) {
      setError(problemMessage(failure));
      return;
    }
    const now = new Date().toISOString();
    setItems((previous) =>
      previous.map((item) => (item.readAt || (id && item.id !== id) ? item : { ...item, readAt: now })),
    );
  }

  return (
    <section aria-labelledby="inbox">
      <div class="row spread">
        <h2 id="inbox">Inbox</h2>
        <p role="status" class="muted">
          {unread === 0 ? "All read" : `${unread} unread`}
        </p>
        {unread > 0 && (
          <button type="button" class="secondary" onClick={() => read()}>
            Mark all read
          </button>
        )}
      </div>
      <ErrorNote message={error} />
      {!loading && items.length === 0 && !error && (
        <Empty>No notifications yet. Orders, price drops and restocks you watch show up here.</Empty>
      )}
      <ul class="inbox" aria-label="Notifications">
        {items.map((item) => (
          <li key={item.id} class={item.readAt ? "" : "unread"} data-testid="notification">
            <div>
              <strong>
                {!item.readAt && <span class="visually-hidden">Unread: </span>}
                {item.title}
              </strong>
              <p>{item.body}</p>
              <p class="muted">
                <time dateTime={item.createdAt}>{new Date(item.createdAt).toLocaleString()}</time> ·{" "}
                <a href={item.link}>
                  Open<span class="visually-hidden">: {item.title}</span>
                </a>
              </p>
            </div>
            {!item.readAt && (
              <button
                type="button"
                class="secondary"
                aria-label={`Mark read: ${item.title}`}
                onClick={() => read(item.id)}
              >
                Mark read
              </button>
            )}
          </li>
        ))}
      </ul>
      {loading && <Loading what="notifications" />}
      {!loading && nextCursor && (
        <button type="button" onClick={() => load(nextCursor)}>
          Show older
        </button>
      )}
    </section>
  );
}

/** The user's watches with the names of their products, each with a button that removes it. */
function Watches() {
  const [watches, setWatches] = useState<Watch[] | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  // A price drop or a restock marks its watch as fired: read them again to show it.
  useArrivals(
    useCallback((arrived: Notification) => {
      if (arrived.type === "price.dropped" || arrived.type === "back-in-stock")
        setVersion((value) => value + 1);
    }, []),
  );

  useEffect(() => {
    let current = true;
    loadWatches().then(async (answer) => {
      if (!current) return;
      setWatches(answer.data ?? null);
      setError(answer.error ?? null);
      const ids = [...new Set(answer.data?.map((watch) => watch.productId))];
      const products = await Promise.all(
        ids.map((id) => api.GET("/api/products/{id}", { params: { path: { id } } }).catch(() => undefined)),
      );
      if (!current) return;
      const found: Record<string, string> = {};
      for (const product of products) if (product?.data) found[product.data.id] = product.data.name;
      setNames(found);
    });
    return () => {
      current = false;
    };
  }, [version]);

  async function remove(id: string) {
    setError(null);
    const failure = await removeWatch(id);
    if (failure) setError(failure);
    else setWatches((previous) => previous?.filter((watch) => watch.id !== id) ?? null);
  }

  return (
    <section aria-labelledby="watches">
      <h2 id="watches">Your watches</h2>
      <ErrorNote message={error} />
      {!watches && !error && <Loading what="your watches" />}
      {watches && watches.length === 0 && (
        <Empty>
          No watches. On a product's page you can ask to be told when its price drops or it is back in stock.
        </Empty>
      )}
      {watches && watches.length > 0 && (
        <ul class="lines" aria-label="Watches">
          {watches.map((watch) => {
            const name = names[watch.productId] ?? "A product";
            return (
              <li key={watch.id}>
                <span>
                  <a href={`/products/${watch.productId}`}>{name}</a>: {watchText(watch)}
                  {watch.firedAt && <span class="muted"> (notified)</span>}
                </span>
                <button
                  type="button"
                  class="secondary"
                  aria-label={`Remove: ${name}, ${watchText(watch)}`}
                  onClick={() => remove(watch.id)}
                >
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
