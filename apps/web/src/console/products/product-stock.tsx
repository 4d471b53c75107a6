import { useState } from "preact/hooks";
import { api } from "../../api/client.ts";
import type { components } from "../../api/openapi-types.ts";
import { Empty, ErrorNote, Loading } from "../../components/feedback.tsx";
import { useRequest } from "../../components/use-request.ts";
import { Scroll } from "../scroll.tsx";
import { dateTime, send } from "../send.ts";

const reasons: Record<components["schemas"]["StockLedgerEntry"]["reason"], string> = {
  adjustment: "Adjustment",
  reservation: "Reserved for an order",
  release: "Reservation released",
  order: "Sold",
  cancel: "Order cancelled",
  return: "Returned",
  "marketplace-order": "Sold on another channel",
};

const signed = (value: number) => (value > 0 ? `+${value}` : String(value));

export function Stock({ sku }: { sku: string }) {
  const [reloads, setReloads] = useState(0);
  const levels = useRequest(
    () =>
      send(api.GET("/api/inventory/{sku}", { params: { path: { sku } } })).then((answer) => ({
        data: answer,
      })),
    [sku, reloads],
  );
  const ledger = useRequest(
    () => api.GET("/api/inventory/{sku}/ledger", { params: { path: { sku } } }),
    [sku, reloads],
  );
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  async function setOnHand(event: SubmitEvent) {
    event.preventDefault();
    const text = String(new FormData(event.currentTarget as HTMLFormElement).get("onHand")).trim();
    const onHand = Number(text);
    setError(null);
    setNote(null);
    if (text === "" || !Number.isInteger(onHand) || onHand < 0)
      return setError("Units on hand must be a whole number, 0 or more.");
    const answer = await send(
      api.PUT("/api/inventory/{sku}", { params: { path: { sku } }, body: { onHand } }),
    );
    if (answer.ok) {
      setNote(`On hand set to ${answer.data.onHand}.`);
      setReloads((value) => value + 1);
    } else setError(answer.message);
  }

  const answer = levels.data;
  const current = answer?.ok ? answer.data : undefined;
  return (
    <section aria-labelledby="stock">
      <h2 id="stock">Stock</h2>
      {levels.loading && !answer && <Loading what="stock" />}
      {answer && !answer.ok && answer.status === 404 && <Empty>No stock is recorded for {sku} yet.</Empty>}
      {answer && !answer.ok && answer.status !== 404 && <ErrorNote message={answer.message} />}
      {current && (
        <p data-testid="stock-levels">
          On hand <strong>{current.onHand}</strong>, reserved <strong>{current.reserved}</strong>, available{" "}
          <strong>{current.available}</strong>
        </p>
      )}
      <form key={current?.onHand} class="actions" onSubmit={setOnHand} aria-label="Set stock">
        <label>
          Units on hand
          <input
            name="onHand"
            inputMode="numeric"
            size={6}
            defaultValue={current ? String(current.onHand) : ""}
          />
        </label>
        <button type="submit">Set on hand</button>
      </form>
      <ErrorNote message={error} />
      {note && <p role="status">{note}</p>}
      <h3>Ledger, newest first</h3>
      {!(answer && !answer.ok && answer.status === 404) && <ErrorNote message={ledger.error} />}
      {ledger.data && ledger.data.items.length === 0 && <Empty>No movements yet.</Empty>}
      {ledger.data && ledger.data.items.length > 0 && (
        <Scroll label="Stock ledger">
          <table>
            <caption class="visually-hidden">Stock movements of {sku}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">On hand</th>
                <th scope="col">Reserved</th>
                <th scope="col">Reason</th>
                <th scope="col">Channel</th>
                <th scope="col">Order</th>
              </tr>
            </thead>
            <tbody>
              {ledger.data.items.map((entry, index) => (
                <tr key={`${entry.at}-${index}`}>
                  <th scope="row">{dateTime(entry.at)}</th>
                  <td>{signed(entry.change)}</td>
                  <td>{signed(entry.reservedChange)}</td>
                  <td>{reasons[entry.reason] ?? entry.reason}</td>
                  <td>{entry.reference.channel}</td>
                  <td>
                    {entry.reference.orderId && entry.reference.channel === "web" ? (
                      <a href={`/console/orders/${entry.reference.orderId}`}>
                        …{entry.reference.orderId.slice(-8)}
                      </a>
                    ) : (
                      (entry.reference.orderId ?? "")
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </section>
  );
}
