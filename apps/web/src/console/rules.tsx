import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client.ts";
import { Empty, ErrorNote } from "../components/feedback.tsx";
import { useRequest } from "../components/use-request.ts";
import { usePolling } from "./use-polling.ts";

export function Rules() {
  const rules = useRequest(() => api.GET("/api/ops/rules"), []);
  return (
    <section aria-labelledby="rules">
      <h2 id="rules">Rules</h2>
      <ErrorNote message={rules.error} />
      {rules.data && rules.data.items.length === 0 && <Empty>No rules.</Empty>}
      <ul class="lines">
        {rules.data?.items.map((rule) => (
          <li key={rule.name}>
            <span>
              <strong>{rule.name}</strong> → {rule.target}
            </span>
            <code>{JSON.stringify(rule.eventPattern)}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The newest events on the bus, read every two seconds, narrowed by what the form says. */
export function EventLog() {
  const [filters, setFilters] = useState({ source: "", detailType: "", correlationId: "" });
  const [applied, setApplied] = useState(filters);
  useEffect(() => {
    const timer = setTimeout(() => setApplied(filters), 300);
    return () => clearTimeout(timer);
  }, [filters]);
  const query = Object.fromEntries(Object.entries(applied).filter(([, value]) => value.trim() !== ""));
  const events = usePolling(
    () => api.GET("/api/ops/events", { params: { query: { ...query, limit: 25 } } }),
    2000,
    [applied],
  );
  const field = (name: keyof typeof filters, label: string) => (
    <label>
      {label}
      <input
        value={filters[name]}
        onInput={(event) => setFilters({ ...filters, [name]: event.currentTarget.value })}
      />
    </label>
  );
  return (
    <section aria-labelledby="event-log">
      <h2 id="event-log">Event log</h2>
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        {field("source", "Source")}
        {field("detailType", "Detail type")}
        {field("correlationId", "Correlation id")}
      </form>
      <ErrorNote message={events.error} />
      {events.data && events.data.items.length === 0 && <Empty>No events match.</Empty>}
      <ol class="lines" aria-label="Events, newest first">
        {events.data?.items.map((event) => (
          <li key={event.id}>
            <time dateTime={event.time}>{new Date(event.time).toLocaleTimeString()}</time>
            <span>
              {event["detail-type"]} from {event.source}
            </span>
            <span class="muted">correlation {event.metadata["correlation-id"]}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
