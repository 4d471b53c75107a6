import { useState } from "preact/hooks";
import { api } from "../../api/client.ts";
import { ErrorNote } from "../../components/feedback.tsx";
import { dateTime, send } from "../send.ts";
import { shortId } from "./order-status.ts";
import type { ReturnEntry } from "./order-timeline.ts";

export function Returns({ entries, onChange }: { entries: ReturnEntry[]; onChange: () => void }) {
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
