import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Answer, type Body, type ShopClient, startShop } from "./support/shop.ts";

/**
 * A hostile client against every route of a real embedded Mercato, as anonymous, customer and
 * admin: strings with NUL, control characters and lone surrogates, bodies nested too deep, numbers
 * JSON cannot hold or no field takes, forged cursors. The routes come from the server's own OpenAPI
 * document, so a new route is fuzzed the day it is added. Whatever arrives: never a 5xx, every
 * error is problem+json, and since every generated request is bad, nothing changes.
 *
 * Deterministic: a fixed seed and a modest number of runs (the suite runs on 2 cores).
 */
const seed = 20_261_205;
const numRuns = 300;

type Who = "anonymous" | "customer" | "admin";

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  format?: string;
}

interface Operation {
  method: string;
  /** OpenAPI form: `/api/products/{id}`. */
  path: string;
  pathParams: string[];
  query: { name: string; type: string | undefined }[];
  body: JsonSchema | undefined;
}

interface Fixture {
  client: ShopClient;
  tokens: Record<Who, string | undefined>;
  productId: string;
  sku: string;
  orderId: string;
  queue: string;
}

let shop: Awaited<ReturnType<typeof startShop>>;
let fixture: Fixture;
let operations: Operation[];

beforeAll(async () => {
  shop = await startShop();
});

let prepared: Promise<void> | undefined;

/**
 * A customer with an order and a cart, a stocked product, an admin: made inside the first test that
 * needs them, since the shop client polls with `expect.poll`, which only runs inside a test.
 */
function prepare(): Promise<void> {
  prepared ??= makeFixture();
  return prepared;
}

async function makeFixture(): Promise<void> {
  const { client } = shop;
  const admin = await client.adminToken();
  const customer = await client.register("Ada");
  const product = await client.stockedProduct({ sku: "HOSTILE-1", price: 1500, onHand: 10 });
  await client.addToCart(customer.token, product.id, 1);
  const placed = await client.checkout(customer.token);
  expect(placed.status).toBe(202);
  await client.orderReaching(customer.token, placed.body.id, ["confirmed"]);
  // The saga's last steps (stock committed, cart emptied) settle before the state is recorded.
  await expect.poll(async () => (await client.stock(product.sku)).reserved).toBe(0);
  await expect
    .poll(async () => (await client.call("GET", "/api/cart", { token: customer.token })).body.items.length)
    .toBe(0);
  await client.addToCart(customer.token, product.id, 2);
  const queues = await client.call("GET", "/api/ops/queues", { token: admin });
  fixture = {
    client,
    tokens: { anonymous: undefined, customer: customer.token, admin },
    productId: product.id,
    sku: product.sku,
    orderId: placed.body.id,
    queue: queues.body.items[0].name,
  };
  operations = await publicOperations(client);
}

afterAll(async () => {
  await shop?.close();
});

/** Every documented operation with input, from the server's OpenAPI document. */
async function publicOperations(client: ShopClient): Promise<Operation[]> {
  const document = (await client.call("GET", "/openapi.json")).body;
  const found: Operation[] = [];
  for (const [path, methods] of Object.entries<Record<string, Body>>(document.paths)) {
    if (!path.startsWith("/api/") && !path.startsWith("/.well-known/")) continue;
    for (const [method, operation] of Object.entries<Body>(methods)) {
      const parameters: Body[] = operation.parameters ?? [];
      found.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === "path").map((p) => p.name),
        query: parameters
          .filter((p) => p.in === "query")
          .map((p) => ({ name: p.name, type: p.schema?.type })),
        body: operation.requestBody?.content?.["application/json"]?.schema,
      });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// What a hostile client sends

const hostileUnit = fc.constantFrom(
  "\u0000",
  "\u0001",
  "\u0008",
  "\u000b",
  "\u001b",
  "\u007f",
  "\ud800",
  "\udfff",
);
const hostileText = fc
  .tuple(fc.string({ maxLength: 6 }), hostileUnit, fc.string({ unit: "binary", maxLength: 6 }))
  .map(([before, bad, after]) => before + bad + after);

/** Raw JSON tokens that no integer field takes: out of range, not finite once parsed, or not numbers. */
const oddNumberToken = fc.constantFrom(
  "1e309",
  "-1e309",
  "1e400",
  "18446744073709551616",
  "9007199254740993",
  "0.5",
  "-1",
  "1e6000",
  '"NaN"',
  '"Infinity"',
  '"12"',
  "null",
  "[]",
  "{}",
);

/** Query values for numeric parameters; some are valid (a GET changes nothing either way). */
const oddQueryNumber = fc.constantFrom(
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "0x10",
  " 1",
  "1e3",
  "99999999999999999999",
  "-1",
  "",
);

const encodeCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const oddCursor = fc.oneof(
  fc.constantFrom(
    encodeCursor({ sort: "newest", createdAt: "0000-01-01T00:00:00.000Z", id: "x" }),
    encodeCursor({ createdAt: "0000-01-01T00:00:00.000Z", id: "0190d8a4-5a4c-7c1a-9a0e-3c2f1b6d7e80" }),
    encodeCursor({ createdAt: "275760-09-13T00:00:00.000Z", id: "0190d8a4-5a4c-7c1a-9a0e-3c2f1b6d7e80" }),
    encodeCursor({ sort: "relevance", offset: 1e300 }),
    encodeCursor({ sort: "price_asc", amount: -1, id: "\u0000" }),
    encodeCursor({ sort: "newest", createdAt: "2026-01-01T00:00:00.000Z", id: "\ud800" }),
    Buffer.from('{"sort":"relevance","offset":1e309}').toString("base64url"),
    Buffer.from(`${"[".repeat(200)}${"]".repeat(200)}`).toString("base64url"),
    "%%%",
    "a".repeat(600),
  ),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString("base64url")),
);

const deepBody = fc
  .tuple(fc.constantFrom(33, 40, 10_000), fc.boolean(), fc.boolean())
  .map(([depth, arrays, wrapped]) => {
    const open = arrays ? "[" : '{"a":';
    const close = arrays ? "]" : "}";
    const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
    return wrapped ? `{"eventPattern":${nested},"event":{}}` : nested;
  });

type Poison =
  | { kind: "text"; where: number; text: string }
  | { kind: "number"; where: number; token: string }
  | { kind: "deep"; body: string }
  | { kind: "cursor"; cursor: string }
  | { kind: "query-number"; where: number; value: string };

const poison: fc.Arbitrary<Poison> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("text" as const), where: fc.nat(), text: hostileText }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("number" as const), where: fc.nat(), token: oddNumberToken }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("deep" as const), body: deepBody }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cursor" as const), cursor: oddCursor }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("query-number" as const),
      where: fc.nat(),
      value: oddQueryNumber,
    }),
  },
);

// ---------------------------------------------------------------------------------------------
// Building one request

/** A plausible value of the schema: the request is then refused for its poison, not its shape. */
function plausible(schema: JsonSchema | undefined, name = ""): unknown {
  if (schema === undefined) return "x";
  if (schema.anyOf)
    return plausible(
      schema.anyOf.find((option) => option.type !== "null"),
      name,
    );
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object": {
      const properties = Object.entries(schema.properties ?? {});
      if (properties.length === 0)
        return { source: name === "eventPattern" ? ["mercato.test"] : "mercato.test" };
      return Object.fromEntries(properties.map(([key, value]) => [key, plausible(value, key)]));
    }
    case "array":
      return [plausible(schema.items, name)];
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    default:
      if (schema.format === "email") return "hostile@example.com";
      if (name === "country") return "GB";
      if (name === "currency") return "EUR";
      return name === "sku" ? "HOSTILE-2" : "plausible text";
  }
}

/** The paths of a value's leaves, and which of them hold integers. */
function leaves(
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; number: boolean }[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => leaves(item, [...path, index]));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]));
  }
  return [{ path, number: typeof value === "number" }];
}

function setAt(target: unknown, path: (string | number)[], value: unknown): void {
  let node = target as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
}

/**
 * encodeURIComponent refuses lone surrogates; a hostile client sends their WTF-8 bytes
 * (`%ED%A0%80`) instead, which the server must refuse as a malformed path or query.
 */
function encode(text: string): string {
  let out = "";
  for (const character of text) {
    const unit = character.charCodeAt(0);
    if (character.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join("");
    } else out += encodeURIComponent(character);
  }
  return out;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const controlCharacter = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

interface Built {
  method: string;
  url: string;
  body: string | undefined;
  /** Whether the request is bad for certain, so that it must be refused with a 4xx. */
  bad: boolean;
}

function knownParam(operation: Operation, name: string): string {
  if (name === "sku") return fixture.sku;
  if (name === "name") return fixture.queue;
  if (name === "imageId") return "0190d8a4-5a4c-7c1a-9a0e-3c2f1b6d7e80";
  if (name === "id" && operation.path.startsWith("/api/orders")) return fixture.orderId;
  if (name === "id" && operation.path.startsWith("/api/returns"))
    return "0190d8a4-5a4c-7c1a-9a0e-3c2f1b6d7e81";
  return fixture.productId;
}

function build(operation: Operation, bad: Poison): Built {
  const params = Object.fromEntries(operation.pathParams.map((name) => [name, knownParam(operation, name)]));
  const query: [string, string][] = [];
  const hasBody = operation.body !== undefined;
  const body = hasBody ? plausible(operation.body) : undefined;
  let rawBody = body === undefined ? undefined : JSON.stringify(body);
  let certain = true;

  if (bad.kind === "deep" && operation.method !== "GET") {
    rawBody = bad.body;
  } else if (bad.kind === "cursor" && operation.query.some((q) => q.name === "cursor")) {
    query.push(["cursor", bad.cursor]);
  } else if (bad.kind === "query-number" && operation.query.some((q) => q.type === "integer")) {
    const numeric = operation.query.filter((q) => q.type === "integer");
    query.push([numeric[bad.where % numeric.length]?.name ?? "limit", bad.value]);
    certain = false;
  } else if (bad.kind === "number" && leaves(body).some((leaf) => leaf.number)) {
    const numbers = leaves(body).filter((leaf) => leaf.number);
    const target = numbers[bad.where % numbers.length];
    const marker = "__odd_number__";
    setAt(body, target?.path ?? [], marker);
    rawBody = JSON.stringify(body).replace(`"${marker}"`, bad.token);
  } else {
    // Hostile text in one of the places text can go: a path parameter, a query parameter, a body leaf.
    const text = bad.kind === "text" ? bad.text : "\u0000";
    const where = bad.kind === "text" || bad.kind === "number" ? bad.where : 0;
    const places = [
      ...operation.pathParams.map((name) => ({ param: name })),
      ...operation.query.map((q) => ({ query: q.name })),
      { query: "x" },
      ...leaves(body).map((leaf) => ({ leaf: leaf.path })),
    ];
    const place = places[where % places.length] ?? { query: "x" };
    if ("param" in place) params[place.param] = text;
    else if ("query" in place) {
      // A lone surrogate's bytes make the value undecodable, and the query parser then keeps the
      // value as sent, escapes and all: harmless text. Only a decodable control character is bad.
      // A route that changes things would then do so (cancel an order, empty a cart), so there
      // the surrogates give way to a control character and the request is bad for certain.
      const value = operation.method === "GET" ? text : text.replace(/[\ud800-\udfff]/g, "\u0000");
      query.push([place.query, value]);
      certain = controlCharacter.test(value) && !/[\ud800-\udfff]/.test(value);
    } else if (place.leaf.length === 0) {
      // The body is one value (an image upload's bytes): the text is the whole body.
      rawBody = JSON.stringify(text);
    } else {
      setAt(body, place.leaf, text);
      rawBody = JSON.stringify(body);
    }
  }
  const path = operation.path.replace(/\{(\w+)\}/g, (_whole, name: string) => encode(params[name] ?? ""));
  const search = query.map(([name, value]) => `${name}=${encode(value)}`).join("&");
  return { method: operation.method, url: search ? `${path}?${search}` : path, body: rawBody, bad: certain };
}

async function send(request: Built, who: Who): Promise<Answer & { text: string }> {
  const token = fixture.tokens[who];
  const response = await fetch(new URL(request.url, fixture.client.url), {
    method: request.method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(request.body === undefined ? {} : { "content-type": "application/json" }),
      "idempotency-key": "0190d8a4-5a4c-7c1a-9a0e-3c2f1b6d7e99",
    },
    body: request.body,
  });
  const text = await response.text();
  let body: Body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

function expectCleanRefusal(answer: Answer & { text: string }, label: string): void {
  expect(answer.status, label).toBeLessThan(500);
  if (answer.status >= 400) {
    expect(answer.headers.get("content-type"), label).toBe("application/problem+json");
    expect(answer.body, label).toMatchObject({
      status: answer.status,
      type: expect.any(String),
      detail: expect.any(String),
    });
  }
  expect(answer.headers.get("x-content-type-options"), label).toBe("nosniff");
}

/** Everything a bad request could have changed, read fresh (signed in, so never from the cache). */
async function stateOfTheShop(): Promise<unknown> {
  const { client, tokens, productId, sku } = fixture;
  const read = async (url: string, token: string | undefined) =>
    (await client.call("GET", url, { token })).body;
  return {
    products: await read("/api/products?limit=100", tokens.admin),
    product: await read(`/api/products/${productId}`, tokens.admin),
    categories: await read("/api/categories", tokens.admin),
    stock: await read(`/api/inventory/${sku}`, tokens.admin),
    cart: await read("/api/cart", tokens.customer),
    me: await read("/api/me", tokens.customer),
    orders: await read("/api/orders", tokens.customer),
    allOrders: await read("/api/orders?all=true", tokens.admin),
    order: await read(`/api/orders/${fixture.orderId}`, tokens.admin),
  };
}

describe("a hostile client", () => {
  it("finds the routes to attack in the OpenAPI document", async () => {
    await prepare();
    const names = operations.map((operation) => `${operation.method} ${operation.path}`);
    for (const expected of [
      "POST /api/auth/register",
      "GET /api/products",
      "POST /api/cart/items",
      "POST /api/orders",
      "POST /api/ops/test-event-pattern",
    ]) {
      expect(names).toContain(expected);
    }
  });

  it("never gets a 5xx or an answer that is not problem+json, and changes nothing", async () => {
    await prepare();
    const before = await stateOfTheShop();
    const who = fc.constantFrom<Who>("anonymous", "customer", "admin");
    await fc.assert(
      fc.asyncProperty(fc.nat(), who, poison, async (index, client, bad) => {
        const operation = operations[index % operations.length] as Operation;
        const request = build(operation, bad);
        const label = `${client} ${request.method} ${request.url} ${request.body?.slice(0, 200) ?? ""}`;
        const answer = await send(request, client);
        expectCleanRefusal(answer, label);
        if (request.bad) expect(answer.status, label).toBeGreaterThanOrEqual(400);
      }),
      { seed, numRuns },
    );
    expect(await stateOfTheShop()).toEqual(before);
  });
});

describe("the probes that once answered 500", () => {
  const cases: { who: Who; method: string; url: string; body?: string; path?: string }[] = [
    { who: "anonymous", method: "GET", url: "/api/products?q=%00", path: "query.q" },
    { who: "anonymous", method: "GET", url: "/api/products?category=%00", path: "query.category" },
    {
      who: "anonymous",
      method: "POST",
      url: "/api/auth/register",
      body: '{"email":"nul@example.com","password":"correct horse","name":"a\\u0000b"}',
      path: "body.name",
    },
    {
      who: "anonymous",
      method: "POST",
      url: "/api/auth/register",
      body: '{"email":"lone@example.com","password":"correct horse","name":"a\\ud800b"}',
      path: "body.name",
    },
    {
      who: "customer",
      method: "POST",
      url: "/api/cart/items",
      body: '{"productId":"\\u0000","quantity":1}',
      path: "body.productId",
    },
    {
      who: "customer",
      method: "POST",
      url: "/api/orders",
      body: JSON.stringify({
        shippingAddress: {
          name: "Ada\ud800",
          line1: "1 Road",
          city: "London",
          postalCode: "N1",
          country: "GB",
        },
        payment: { token: "tok_visa" },
      }).replace("Ada\\ud800", "Ada\\ud800"),
      path: "body.shippingAddress.name",
    },
    {
      who: "admin",
      method: "POST",
      url: "/api/products",
      body: '{"sku":"NUL-1","name":"Lamp\\u0000","category":"Home","price":{"amount":100,"currency":"EUR"}}',
      path: "body.name",
    },
  ];

  it.each(cases)("$who $method $url $body: 400 naming $path", async ({ who, method, url, body, path }) => {
    await prepare();
    const answer = await send({ method, url, body, bad: true }, who);
    expectCleanRefusal(answer, url);
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toContainEqual({ path, message: expect.any(String) });
  });

  it("refuses a cursor dated year 0000 on products and orders with 400 invalid-cursor", async () => {
    await prepare();
    const products = await send(
      {
        method: "GET",
        url: `/api/products?sort=newest&cursor=${encodeCursor({ sort: "newest", createdAt: "0000-01-01T00:00:00.000Z", id: "x" })}`,
        body: undefined,
        bad: true,
      },
      "anonymous",
    );
    const orders = await send(
      {
        method: "GET",
        url: `/api/orders?cursor=${encodeCursor({ createdAt: "0000-01-01T00:00:00.000Z", id: fixture.orderId })}`,
        body: undefined,
        bad: true,
      },
      "customer",
    );
    for (const answer of [products, orders]) {
      expectCleanRefusal(answer, "cursor");
      expect(answer.status).toBe(400);
      expect(answer.body.type).toBe("https://mercato.dev/problems/invalid-cursor");
    }
  });

  it("refuses a 10,000-deep event pattern, and one merely too deep for the compiler, with 400", async () => {
    await prepare();
    let pattern = '["x"]';
    for (let level = 0; level < 10_000; level++) pattern = `{"a":${pattern}}`;
    const deep = await send(
      {
        method: "POST",
        url: "/api/ops/test-event-pattern",
        body: `{"eventPattern":${pattern},"event":{}}`,
        bad: true,
      },
      "admin",
    );
    expectCleanRefusal(deep, "deep");
    expect(deep.status).toBe(400);
    let thirty: unknown = ["x"];
    for (let level = 0; level < 30; level++) thirty = { a: thirty };
    const tooDeep = await send(
      {
        method: "POST",
        url: "/api/ops/test-event-pattern",
        body: JSON.stringify({ eventPattern: thirty, event: {} }),
        bad: true,
      },
      "admin",
    );
    expectCleanRefusal(tooDeep, "too deep");
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.detail).toMatch(/^Invalid event pattern: .*more than 24 levels deep/);
  });

  it("limits a path however it is spelled: an escaped /api still counts against the login limit", async () => {
    await prepare();
    const login = await send(
      {
        method: "POST",
        url: "/%61pi/auth/login",
        body: '{"email":"a@example.com","password":"guess"}',
        bad: true,
      },
      "anonymous",
    );
    expect(login.status).toBe(401);
    expect(login.headers.get("x-ratelimit-limit")).toBe("1200");
    const read = await send(
      { method: "GET", url: "/%61%70%69/products", body: undefined, bad: false },
      "anonymous",
    );
    expect(read.status).toBe(200);
    expect(read.headers.get("x-ratelimit-remaining")).toEqual(expect.any(String));
  });
});
