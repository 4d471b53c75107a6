import type { components } from "../../api/openapi-types.ts";
import { statusReasonText } from "../../api/problems.ts";
import { formatMoney } from "../../components/money.tsx";

export type TimelineItem = { type: string; at: string; detail: Record<string, unknown> };

/** One sentence for the steps whose detail says something an operator acts on. */
export function stepNote(item: TimelineItem): string | null {
  const detail = item.detail;
  const money = (value: unknown) =>
    value && typeof value === "object" && "amount" in value
      ? formatMoney(value as components["schemas"]["Money"])
      : "";
  switch (item.type) {
    case "OrderShipped":
      return `Carrier ${detail.carrier ?? "not given"}, tracking number ${detail.trackingNumber ?? "not given"}`;
    case "PaymentRequested":
    case "PaymentRefunded":
      return money(detail.amount);
    case "PaymentDeclined":
    case "OrderRejected":
    case "OrderCancelled":
      return typeof detail.reason === "string" ? (statusReasonText(detail.reason) ?? null) : null;
    case "ReturnRequested":
      return typeof detail.reason === "string" ? `Reason: ${detail.reason}` : null;
    case "StockReservationFailed":
      return Array.isArray(detail.shortSkus) ? `Short: ${detail.shortSkus.join(", ")}` : null;
    default:
      return null;
  }
}

export interface ReturnEntry {
  id: string;
  requestedAt: string;
  reason: string;
  received: boolean;
}

/**
 * The order's returns, read from its timeline: the order answer does not list them, and the API
 * has no list of returns, so a ReturnRequested step is where an admin finds a return's id.
 */
export function returnsOf(items: TimelineItem[]): ReturnEntry[] {
  const received = new Set(
    items.filter((item) => item.type === "ReturnReceived").map((item) => String(item.detail.returnId)),
  );
  return items
    .filter((item) => item.type === "ReturnRequested")
    .map((item) => ({
      id: String(item.detail.returnId),
      requestedAt: item.at,
      reason: String(item.detail.reason ?? ""),
      received: received.has(String(item.detail.returnId)),
    }));
}
