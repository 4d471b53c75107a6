import { useState } from "preact/hooks";
import { api } from "../api/client.ts";
import type { components } from "../api/openapi-types.ts";
import { Empty, ErrorNote, Loading } from "../components/feedback.tsx";
import { useRequest } from "../components/use-request.ts";
import { dateTime, send } from "./send.ts";

type ApiKey = components["schemas"]["ApiKey"];
type CreatedApiKey = components["schemas"]["CreatedApiKey"];

/** Keys for marketplaces and sellers to put events with (POST /api/events, or SigV4 at /aws/events). */
export function ApiKeys() {
  const [reloads, setReloads] = useState(0);
  const keys = useRequest(() => api.GET("/api/api-keys", { params: { query: { limit: 100 } } }), [reloads]);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reload = () => setReloads((value) => value + 1);

  async function create(event: SubmitEvent) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const name = String(new FormData(form).get("name")).trim();
    setBusy(true);
    setError(null);
    const answer = await send(api.POST("/api/api-keys", { body: { name } }));
    setBusy(false);
    if (answer.ok) {
      form.reset();
      setCreated(answer.data);
      reload();
    } else setError(answer.message);
  }

  return (
    <>
      <h1>API keys</h1>
      <p class="muted">
        A key lets a marketplace or seller put events: as a bearer token on <code>POST /api/events</code>, or
        as an access key pair signing Amazon EventBridge's PutEvents at <code>/aws/events</code>.
      </p>
      <form class="actions" onSubmit={create} aria-label="New API key">
        <label>
          Name of the new key
          <input name="name" required maxLength={100} placeholder="e.g. Marketplace feed" />
        </label>
        <button type="submit" disabled={busy}>
          Create key
        </button>
      </form>
      <ErrorNote message={error} />
      {created && <KeySecrets apiKey={created} onDismiss={() => setCreated(null)} />}
      <h2>Keys</h2>
      <ErrorNote message={keys.error} />
      {keys.loading && !keys.data && <Loading what="API keys" />}
      {keys.data && keys.data.items.length === 0 && <Empty>No API keys.</Empty>}
      <ul class="lines">
        {keys.data?.items.map((key) => (
          <KeyLine key={key.id} apiKey={key} onDeleted={reload} />
        ))}
      </ul>
    </>
  );
}

function KeySecrets({ apiKey, onDismiss }: { apiKey: CreatedApiKey; onDismiss: () => void }) {
  return (
    <section class="once" aria-labelledby="key-secrets" role="status">
      <h2 id="key-secrets">Key "{apiKey.name}" created: copy its secrets now</h2>
      <p>
        This is the only time they are shown; Mercato keeps them hashed or sealed. Lost secrets mean a new
        key.
      </p>
      <p>
        Bearer key: <code data-testid="api-key">{apiKey.key}</code>
      </p>
      <p>
        Access key id: <code data-testid="access-key-id">{apiKey.accessKeyId}</code>
      </p>
      <p>
        Secret access key: <code data-testid="secret-access-key">{apiKey.secretAccessKey}</code>
      </p>
      <button type="button" class="secondary" onClick={onDismiss}>
        I have stored the secrets
      </button>
    </section>
  );
}

function KeyLine({ apiKey, onDeleted }: { apiKey: ApiKey; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function remove() {
    setError(null);
    const answer = await send(api.DELETE("/api/api-keys/{id}", { params: { path: { id: apiKey.id } } }));
    if (answer.ok) onDeleted();
    else setError(answer.message);
  }

  return (
    <li>
      <span>
        <strong>{apiKey.name}</strong> <span class="muted">created {dateTime(apiKey.createdAt)}</span>
      </span>
      {confirming ? (
        <span class="row">
          <button type="button" class="danger" onClick={remove}>
            Yes, delete <span class="visually-hidden">key {apiKey.name}</span>
          </button>
          <button type="button" class="secondary" onClick={() => setConfirming(false)}>
            Keep <span class="visually-hidden">key {apiKey.name}</span>
          </button>
        </span>
      ) : (
        <button type="button" class="danger" onClick={() => setConfirming(true)}>
          Delete <span class="visually-hidden">key {apiKey.name}</span>
        </button>
      )}
      <ErrorNote message={error} />
    </li>
  );
}
