import { useState } from "preact/hooks";
import { api } from "../../api/client.ts";
import { ErrorNote } from "../../components/feedback.tsx";
import { send } from "../send.ts";
import { type Order, shortId } from "./order-status.ts";

/** Ship (with an optional carrier and tracking number) a confirmed order, deliver a shipped one. */
export function OrderActions({ order, onChange }: { order: Order; onChange: () => void }) {
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
