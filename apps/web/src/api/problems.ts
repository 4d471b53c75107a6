import type { components } from "./openapi-types.ts";

type Problem = components["schemas"]["Problem"];

/** A sentence a shopper can read from a problem document (or anything else a request failed with). */
export function problemMessage(error: unknown): string {
  if (error && typeof error === "object" && "title" in error) {
    const problem = error as Problem;
    const fields = (problem.errors ?? []).map((field) => `${field.path}: ${field.message}`);
    const text = problem.detail || problem.title;
    return fields.length > 0 ? `${text} (${fields.join("; ")})` : text;
  }
  if (error instanceof Error) return `The request failed: ${error.message}`;
  return "Something went wrong. Please try again.";
}

const reasons: Record<string, string> = {
  payment_declined: "The card was declined by the payment provider.",
  payment_timeout: "The payment provider did not answer in time.",
  out_of_stock: "An item ran out of stock before the order could be reserved.",
};

export function statusReasonText(reason: string | null | undefined): string | null {
  if (!reason) return null;
  return reasons[reason] ?? reason.replaceAll("_", " ");
}
