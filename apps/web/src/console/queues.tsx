import { useState } from "preact/hooks";
import { api } from "../api/client.ts";
import { problemMessage } from "../api/problems.ts";
import { Empty, ErrorNote } from "../components/feedback.tsx";
import { QueueChart, recordQueues } from "./queue-chart.tsx";
import { Scroll } from "./scroll.tsx";
import { usePolling } from "./use-polling.ts";

/** Every queue's counters, read again every two seconds. */
export function Queues() {
  const queues = usePolling(() => api.GET("/api/ops/queues"), 2000);
  const [open, setOpen] = useState<string | null>(null);
  // At render rather than in an effect, so the chart drawn now includes this answer; each answer
  // is recorded once (recordQueues ignores the same list twice).
  if (queues.data) recordQueues(queues.data.items);
  return (
    <section aria-labelledby="queues">
      <h2 id="queues">Queues</h2>
      <ErrorNote message={queues.error} />
      {queues.data && queues.data.items.length === 0 && <Empty>No queues.</Empty>}
      <Scroll label="Queue counters">
        <table>
          <caption class="visually-hidden">Queue counters, updated every two seconds</caption>
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Depth</th>
              <th scope="col">In flight</th>
              <th scope="col">Delayed</th>
              <th scope="col">DLQ</th>
              <th scope="col">Oldest (s)</th>
              <th scope="col">Processed</th>
              <th scope="col">Failed</th>
            </tr>
          </thead>
          <tbody>
            {queues.data?.items.map((queue) => (
              <tr key={queue.name}>
                <th scope="row">{queue.name}</th>
                <td>{queue.depth}</td>
                <td>{queue.inFlight}</td>
                <td>{queue.delayed}</td>
                <td>
                  {queue.dlqDepth > 0 ? (
                    <button type="button" class="link" onClick={() => setOpen(queue.name)}>
                      {queue.dlqDepth} <span class="visually-hidden">dead letters in {queue.name}</span>
                    </button>
                  ) : (
                    0
                  )}
                </td>
                <td>{Math.round(queue.oldestAgeMs / 1000)}</td>
                <td>{queue.processed}</td>
                <td>{queue.failed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      {open && <DeadLetters queue={open} onDone={queues.refresh} />}
      <QueueChart names={queues.data?.items.map((queue) => queue.name) ?? []} />
    </section>
  );
}

/** A queue's dead letters with their errors, and a button that moves them all back to the queue. */
function DeadLetters({ queue, onDone }: { queue: string; onDone: () => void }) {
  const letters = usePolling(
    () => api.GET("/api/ops/queues/{name}/dlq", { params: { path: { name: queue } } }),
    5000,
    [queue],
  );
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function redrive() {
    setError(null);
    const answer = await api
      .POST("/api/ops/queues/{name}/redrive", { params: { path: { name: queue } }, body: {} })
      .catch((failure: unknown) => ({ data: undefined, error: failure }));
    if (answer.data) setNote(`Moved ${answer.data.moved} message(s) back to ${queue}.`);
    else setError(problemMessage(answer.error));
    letters.refresh();
    onDone();
  }

  return (
    <section aria-labelledby="dead-letters">
      <h3 id="dead-letters">Dead letters of {queue}</h3>
      <ErrorNote message={letters.error ?? error} />
      {note && <p role="status">{note}</p>}
      {letters.data && letters.data.items.length === 0 && <Empty>The DLQ is empty.</Empty>}
      <ul class="lines">
        {letters.data?.items.map((letter) => (
          <li key={letter.id}>
            <span>
              {letter.event["detail-type"]} from {letter.event.source}
            </span>
            <span class="muted">{letter.receiveCount} attempts</span>
            <span class="error">{letter.lastError}</span>
          </li>
        ))}
      </ul>
      {letters.data && letters.data.items.length > 0 && (
        <button type="button" onClick={redrive}>
          Redrive all to {queue}
        </button>
      )}
    </section>
  );
}
