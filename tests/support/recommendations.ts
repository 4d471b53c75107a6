import { expect } from "vitest";
import type { Body, ShopClient } from "./shop.ts";

/** A customer's checkout of these products, one unit each, through to a confirmed order. */
export async function buy(client: ShopClient, token: string, productIds: string[]): Promise<void> {
  for (const productId of productIds) await client.addToCart(token, productId, 1);
  const placed = await client.checkout(token);
  expect(placed.status).toBe(202);
  const order = await client.orderReaching(token, placed.body.id, ["confirmed", "rejected"]);
  expect(order.status).toBe("confirmed");
}

/** [product name, reason] of each item, in order. */
export function shown(body: Body): [string, string][] {
  return body.items.map((item: Body) => [item.product.name, item.reason]);
}

export async function related(client: ShopClient, productId: string, limit = 100): Promise<Body> {
  const answer = await client.call("GET", `/api/recommendations?productId=${productId}&limit=${limit}`);
  expect(answer.status).toBe(200);
  return answer.body;
}

export async function forMe(client: ShopClient, token: string): Promise<Body> {
  const answer = await client.call("GET", "/api/recommendations/for-me?limit=100", { token });
  expect(answer.status).toBe(200);
  return answer.body;
}

/** The items of an answer that are not popular fill, as [name, reason]. */
export function learnt(body: Body): [string, string][] {
  return shown(body).filter(([, reason]) => reason !== "popular");
}

export async function view(client: ShopClient, productId: string, token?: string): Promise<void> {
  const answer = await client.call("POST", `/api/products/${productId}/views`, token ? { token } : {});
  expect(answer.status).toBe(202);
}
