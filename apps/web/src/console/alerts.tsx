import { api } from "../api/client.ts";
import { Empty, ErrorNote } from "../components/feedback.tsx";
import { usePolling } from "./use-polling.ts";

export function Alerts() {
  const alerts = usePolling(() => api.GET("/api/ops/alerts"), 5000);
  return (
    <section aria-labelledby="alerts">
      <h2 id="alerts">Alerts</h2>
      <ErrorNote message={alerts.error} />
      {alerts.data && alerts.data.items.length === 0 && <Empty>No alert is firing.</Empty>}
      <ul>
        {alerts.data?.items.map((alert) => (
          <li key={`${alert.name}-${alert.since}`}>
            <strong>{alert.name}</strong> ({alert.severity}) since{" "}
            <time dateTime={alert.since}>{new Date(alert.since).toLocaleTimeString()}</time>: {alert.summary}
          </li>
        ))}
      </ul>
    </section>
  );
}
