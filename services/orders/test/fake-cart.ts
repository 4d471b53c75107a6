import http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeCartLine {
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: { amount: number; currency: string };
  lineTotal: { amount: number; currency: string };
}

export interface FakeCart {
  url: string;
  /** Sets what GET /api/cart answers to the holder of `token`. */
  set(token: string, cart: { revision: number; items: FakeCartLine[] }): void;
  close(): Promise<void>;
}

export function line(productId: string, quantity: number, amount = 1000): FakeCartLine {
  return {
    productId,
    sku: `SKU-${productId.slice(-6)}`,
    name: `Product ${productId.slice(-6)}`,
    quantity,
    unitPrice: { amount, currency: "EUR" },
    lineTotal: { amount: amount * quantity, currency: "EUR" },
  };
}

/**
 * Cart's GET /api/cart as orders calls it, answering each bearer token the cart set for it: the
 * checkout's one synchronous call, without catalog, cart and their events.
 */
export async function startFakeCart(): Promise<FakeCart> {
  const carts = new Map<string, { revision: number; items: FakeCartLine[] }>();
  const server = http.createServer((request, response) => {
    const token = (request.headers.authorization ?? "").replace(/^Bearer /, "");
    const cart = carts.get(token);
    if (request.url !== "/api/cart" || !cart) {
      response.writeHead(404).end();
      return;
    }
    const amount = cart.items.reduce((sum, item) => sum + item.lineTotal.amount, 0);
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ id: "cart", ...cart, subtotal: { amount, currency: "EUR" } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    set: (token, cart) => carts.set(token, cart),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
