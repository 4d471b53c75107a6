import { orderLineSchema } from "@mercato/contracts";
import CircuitBreaker from "opossum";
import pRetry, { AbortError } from "p-retry";
import { z } from "zod";
import type { OrderItem } from "../domain/order.ts";

/** The cart as cart's GET /api/cart answers it: what the customer is about to buy, priced. */
const snapshotSchema = z.object({
  revision: z.number().int().min(0),
  items: z.array(orderLineSchema),
});

export interface CheckoutSnapshot {
  /** Cart's count of changes to its lines: with the lines, the cart version checked out. */
  revision: number;
  items: OrderItem[];
}

/** Cart did not give a snapshot: down, slow, or the breaker is open. The order cannot be placed. */
export class CartUnavailableError extends Error {
  override name = "CartUnavailableError";
  constructor(
    message: string,
    /** How long before asking again makes sense. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A 4xx from cart: asking again will not help, and it says nothing about cart's health. */
class CartRefusedError extends Error {
  override name = "CartRefusedError";
  constructor(readonly status: number) {
    super(`cart refused the snapshot with ${status}`);
  }
}

export interface CartClientOptions {
  /** Cart's base URL, read at each call (in one process it is known only once the host listens). */
  baseUrl(): string;
  timeoutMs?: number;
  /** Attempts after the first, with exponential backoff and jitter. */
  retries?: number;
  /** How long the breaker stays open before letting one call through. */
  resetTimeoutMs?: number;
  /** Called for every HTTP request sent to cart, so the calls per checkout can be counted. */
  onCall?(outcome: "ok" | "failed"): void;
}

export interface CartClient {
  /** The customer's cart, asked with the customer's own access token. */
  checkoutSnapshot(authorization: string): Promise<CheckoutSnapshot>;
  close(): void;
}

/**
 * The checkout's one synchronous call. A timeout bounds each attempt, retries absorb a blip, and
 * a circuit breaker stops piling requests on a cart that keeps failing: checkout then answers 503
 * at once instead of holding every customer for the whole retry budget.
 */
export function createCartClient(options: CartClientOptions): CartClient {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const resetTimeoutMs = options.resetTimeoutMs ?? 5_000;

  const fetchOnce = async (authorization: string): Promise<CheckoutSnapshot> => {
    let response: Response;
    try {
      response = await fetch(new URL("/api/cart", options.baseUrl()), {
        headers: { authorization, accept: "application/json" },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      options.onCall?.("failed");
      throw error;
    }
    options.onCall?.(response.ok ? "ok" : "failed");
    if (response.status >= 400 && response.status < 500) {
      await response.body?.cancel();
      throw new AbortError(new CartRefusedError(response.status));
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`cart answered ${response.status}`);
    }
    // A body that is not a cart will not become one on retry: it fails at once, and counts
    // against the breaker (something is wrong with cart), without its parse errors in the answer.
    const snapshot = snapshotSchema.safeParse(await response.json().catch(() => undefined));
    if (!snapshot.success) throw new AbortError("cart answered a body that is not a cart");
    return snapshot.data;
  };

  const breaker = new CircuitBreaker(
    (authorization: string) =>
      pRetry(() => fetchOnce(authorization), {
        retries: options.retries ?? 2,
        minTimeout: 50,
        maxTimeout: 500,
        randomize: true,
      }),
    {
      timeout: false,
      resetTimeout: resetTimeoutMs,
      errorThresholdPercentage: 50,
      volumeThreshold: 5,
      rollingCountTimeout: 10_000,
      errorFilter: (error: unknown) => error instanceof CartRefusedError,
    },
  );

  return {
    async checkoutSnapshot(authorization) {
      try {
        return await breaker.fire(authorization);
      } catch (error) {
        if (breaker.opened) {
          throw new CartUnavailableError(
            "Checkout is unavailable: the cart service keeps failing; try again shortly",
            Math.ceil(resetTimeoutMs / 1000),
          );
        }
        const reason =
          error instanceof CartRefusedError
            ? `the cart service refused the snapshot (${error.status})`
            : `the cart service did not answer (${error instanceof Error ? error.message : String(error)})`;
        throw new CartUnavailableError(`Checkout is unavailable: ${reason}`, 1);
      }
    },
    close() {
      breaker.shutdown();
    },
  };
}
