import { useState } from "preact/hooks";
import { api } from "../api/client.ts";
import { problemMessage } from "../api/problems.ts";
import { ErrorNote } from "../components/feedback.tsx";

const examplePattern = JSON.stringify(
  { source: ["mercato.orders"], "detail-type": ["OrderPlaced"] },
  null,
  2,
);
const exampleEvent = JSON.stringify(
  {
    version: "0",
    id: "1",
    "detail-type": "OrderPlaced",
    source: "mercato.orders",
    account: "000000000000",
    time: "2026-01-01T00:00:00Z",
    region: "local",
    resources: [],
    detail: { total: { amount: 4999, currency: "EUR" } },
  },
  null,
  2,
);

function parseObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`The ${what} is not JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new Error(`The ${what} must be a JSON object.`);
  return value as Record<string, unknown>;
}

/** Asks the bus whether an event pattern matches an event (EventBridge's TestEventPattern). */
export function PatternPlayground() {
  const [verdict, setVerdict] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function test(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setVerdict(null);
    setError(null);
    try {
      const body = {
        eventPattern: parseObject(String(form.get("pattern")), "pattern"),
        event: parseObject(String(form.get("event")), "event"),
      };
      const answer = await api.POST("/api/ops/test-event-pattern", { body });
      if (answer.data) setVerdict(answer.data.result);
      else setError(problemMessage(answer.error));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : problemMessage(failure));
    }
  }

  return (
    <section aria-labelledby="playground">
      <h2 id="playground">Pattern playground</h2>
      <form class="stack" onSubmit={test}>
        <label>
          Event pattern
          <textarea name="pattern" rows={6} defaultValue={examplePattern} />
        </label>
        <label>
          Event
          <textarea name="event" rows={12} defaultValue={exampleEvent} />
        </label>
        <button type="submit">Test the pattern</button>
      </form>
      <ErrorNote message={error} />
      {verdict !== null && (
        <p role="status" class="big" data-testid="pattern-verdict">
          {verdict ? "true: the pattern matches the event" : "false: the pattern does not match the event"}
        </p>
      )}
    </section>
  );
}
