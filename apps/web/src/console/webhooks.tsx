import { useState } from "preact/hooks";
import { api } from "../api/client.ts";
import type { components } from "../api/openapi-types.ts";
import { Empty, ErrorNote, Loading } from "../components/feedback.tsx";
import { useRequest } from "../components/use-request.ts";
import { PageButtons } from "./page-buttons.tsx";
import { Scroll } from "./scroll.tsx";
import { dateTime, send } from "./send.ts";
import { usePolling } from "./use-polling.ts";

type Webhook = components["schemas"]["Webhook"];
type CreatedWebhook = components["schemas"]["CreatedWebhook"];

const examplePattern = JSON.stringify({ source: ["mercato.orders"] }, null, 2);

/** The webhooks: add one (its secret shown once), switch them on and off, delete them. */
export function Webhooks() {
  const [reloads, setReloads] = useState(0);
  const webhooks = useRequest(() => api.GET("/api/webhooks"), [reloads]);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const reload = () => setReloads((value) => value + 1);
  return (
    <>
      <h1>Webhooks</h1>
      <NewWebhook
        onCreated={(webhook) => {
          setCreated(webhook);
          reload();
        }}
      />
      {created && <WebhookSecret webhook={created} onDismiss={() => setCreated(null)} />}
      <h2>Registered webhooks</h2>
      <ErrorNote message={webhooks.error} />
      {webhooks.loading && !webhooks.data && <Loading what="webhooks" />}
      {webhooks.data && webhooks.data.items.length === 0 && <Empty>No webhooks yet.</Empty>}
      <ul class="lines">
        {webhooks.data?.items.map((webhook) => (
          <WebhookLine key={webhook.id} webhook={webhook} onChange={reload} />
        ))}
      </ul>
    </>
  );
}

function NewWebhook({ onCreated }: { onCreated: (webhook: CreatedWebhook) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(event: SubmitEvent) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const description = String(data.get("description") ?? "").trim();
    let eventPattern: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(String(data.get("eventPattern")));
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
      eventPattern = parsed as Record<string, unknown>;
    } catch (failure) {
      return setError(`The event pattern must be a JSON object (${(failure as Error).message}).`);
    }
    setBusy(true);
    setError(null);
    const answer = await send(
      api.POST("/api/webhooks", {
        body: { url: String(data.get("url")).trim(), eventPattern, ...(description ? { description } : {}) },
      }),
    );
    setBusy(false);
    if (answer.ok) {
      form.reset();
      onCreated(answer.data);
    } else setError(answer.message);
  }

  return (
    <details>
      <summary>Add a webhook</summary>
      <form class="stack narrow" onSubmit={create} aria-label="New webhook">
        <label>
          Receiver URL
          <input name="url" type="url" required placeholder="https://example.com/hooks/mercato" />
        </label>
        <label>
          Event pattern (JSON, the EventBridge pattern language)
          <textarea name="eventPattern" rows={4} defaultValue={examplePattern} />
        </label>
        <label>
          Description (optional)
          <input name="description" maxLength={500} />
        </label>
        <ErrorNote message={error} />
        <button type="submit" disabled={busy}>
          Create webhook
        </button>
      </form>
    </details>
  );
}

function WebhookSecret({ webhook, onDismiss }: { webhook: CreatedWebhook; onDismiss: () => void }) {
  return (
    <section class="once" aria-labelledby="webhook-secret" role="status">
      <h2 id="webhook-secret">Webhook created: copy its signing secret now</h2>
      <p>
        This is the only time the secret is shown. The receiver at {webhook.url} needs it to check each
        delivery's <code>webhook-signature</code>.
      </p>
      <p>
        Signing secret: <code data-testid="webhook-secret">{webhook.secret}</code>
      </p>
      <button type="button" class="secondary" onClick={onDismiss}>
        I have stored the secret
      </button>
    </section>
  );
}

function WebhookLine({ webhook, onChange }: { webhook: Webhook; onChange: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const name = webhook.description ?? webhook.url;

  async function act(request: ReturnType<typeof send>) {
    setError(null);
    const answer = await request;
    if (answer.ok) onChange();
    else setError(answer.message);
  }

  const path = { params: { path: { id: webhook.id } } };
  return (
    <li>
      <span>
        <a href={`/console/webhooks/${webhook.id}`}>{name}</a>
        <br />
        <span class="muted">
          {webhook.url}, {webhook.enabled ? "enabled" : "disabled"}
        </span>
      </span>
      <span class="row">
        <button
          type="button"
          class="secondary"
          onClick={() =>
            act(send(api.PATCH("/api/webhooks/{id}", { ...path, body: { enabled: !webhook.enabled } })))
          }
        >
          {webhook.enabled ? "Disable" : "Enable"} <span class="visually-hidden">{name}</span>
        </button>
        {confirming ? (
          <>
            <button
              type="button"
              class="danger"
              onClick={() => act(send(api.DELETE("/api/webhooks/{id}", path)))}
            >
              Yes, delete <span class="visually-hidden">{name}</span>
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>
              Keep <span class="visually-hidden">{name}</span>
            </button>
          </>
        ) : (
          <button type="button" class="danger" onClick={() => setConfirming(true)}>
            Delete <span class="visually-hidden">{name}</span>
          </button>
        )}
      </span>
      <ErrorNote message={error} />
    </li>
  );
}

/** A webhook's settings and its delivery log, read every five seconds. */
export function WebhookDetail({ id }: { id: string }) {
  const webhook = useRequest(() => api.GET("/api/webhooks/{id}", { params: { path: { id } } }), [id]);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const deliveries = usePolling(
    () =>
      api.GET("/api/webhooks/{id}/deliveries", { params: { path: { id }, query: { limit: 25, cursor } } }),
    5000,
    [id, cursor],
  );
  const data = webhook.data;
  return (
    <>
      <p>
        <a href="/console/webhooks">All webhooks</a>
      </p>
      <ErrorNote message={webhook.error} />
      {webhook.loading && !data && <Loading what="the webhook" />}
      {data && (
        <>
          <h1>{data.description ?? "Webhook"}</h1>
          <p>
            Posts to <code>{data.url}</code>; {data.enabled ? "enabled" : "disabled"}; created{" "}
            {dateTime(data.createdAt)}.
          </p>
          <h2>Event pattern</h2>
          <pre class="detail">{JSON.stringify(data.eventPattern, null, 2)}</pre>
        </>
      )}
      <section aria-labelledby="deliveries">
        <h2 id="deliveries">Delivery log, newest first</h2>
        <ErrorNote message={deliveries.error} />
        {!deliveries.data && !deliveries.error && <Loading what="deliveries" />}
        {deliveries.data && deliveries.data.items.length === 0 && <Empty>No deliveries yet.</Empty>}
        {deliveries.data && deliveries.data.items.length > 0 && (
          <Scroll label="Deliveries">
            <table>
              <caption class="visually-hidden">Delivery attempts</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Event</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Time (ms)</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.data.items.map((delivery) => (
                  <tr key={`${delivery.eventId}-${delivery.attempt}`}>
                    <th scope="row">{dateTime(delivery.at)}</th>
                    <td>
                      <code>{delivery.eventId}</code>
                    </td>
                    <td>{delivery.attempt}</td>
                    <td class={delivery.error ? "error" : undefined}>
                      {[delivery.responseStatus !== null && `HTTP ${delivery.responseStatus}`, delivery.error]
                        .filter(Boolean)
                        .join(": ")}
                    </td>
                    <td>{delivery.durationMs}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
        )}
        <PageButtons
          cursors={cursors}
          nextCursor={deliveries.data?.nextCursor}
          onChange={setCursors}
          previousLabel="Newer deliveries"
          nextLabel="Older deliveries"
        />
      </section>
    </>
  );
}
