import {
  type EventType,
  PriceChanged,
  ProductCreated,
  ProductDeleted,
  ProductUpdated,
  StockLevelChanged,
} from "@mercato/contracts";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CatalogHost, startCatalog, waitFor } from "./catalog-host.ts";
import { pngBomb, productPng, sampleImages, signatureThenHtml } from "./image-fixtures.ts";

let catalog: CatalogHost;

interface Answer {
  status: number;
  contentType: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: test answers are checked field by field.
  body: any;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  options: { token?: string; json?: unknown; body?: RequestInit["body"]; contentType?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["content-type"] = "application/json";
  }
  if (options.contentType) headers["content-type"] = options.contentType;
  const response = await fetch(`${catalog.host.url}${path}`, { method, headers, body });
  const contentType = response.headers.get("content-type");
  const text = await response.text();
  return {
    status: response.status,
    contentType,
    body: text && contentType?.includes("json") ? JSON.parse(text) : text,
    headers: response.headers,
  };
}

const admin = () => ({ token: catalog.adminToken });

let skuCounter = 0;
function newProduct(overrides: Record<string, unknown> = {}) {
  skuCounter += 1;
  return {
    sku: `TEST-${skuCounter}`,
    name: `Test product ${skuCounter}`,
    description: "A product made by the tests.",
    category: "Tests",
    price: { amount: 1999, currency: "EUR" },
    attributes: { brand: "Acme", color: "red", weightKg: 1.5, fragile: false },
    ...overrides,
  };
}

async function create(overrides: Record<string, unknown> = {}) {
  const answer = await call("POST", "/api/products", { ...admin(), json: newProduct(overrides) });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

function expectProblem(answer: Answer, status: number, detail: RegExp) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.contentType).toBe("application/problem+json");
  expect(answer.body.status).toBe(status);
  expect(answer.body.detail).toMatch(detail);
}

beforeAll(async () => {
  catalog = await startCatalog();
});

afterAll(async () => {
  await catalog?.close();
});

describe("products", () => {
  it("creates, reads, changes and deletes a product", async () => {
    const created = await create({ sku: "CRUD-1", name: "Crud Kettle" });
    expect(created).toMatchObject({
      sku: "CRUD-1",
      name: "Crud Kettle",
      description: "A product made by the tests.",
      category: "Tests",
      price: { amount: 1999, currency: "EUR" },
      attributes: { brand: "Acme", color: "red", weightKg: 1.5, fragile: false },
      images: [],
      inStock: false,
    });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(created.createdAt).toBe(created.updatedAt);

    const read = await call("GET", `/api/products/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created);

    const patched = await call("PATCH", `/api/products/${created.id}`, {
      ...admin(),
      json: { name: "Crud Kettle 2", price: { amount: 2499, currency: "EUR" } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: "Crud Kettle 2", price: { amount: 2499, currency: "EUR" } });
    expect(patched.body.updatedAt > created.updatedAt).toBe(true);
    expect((await call("GET", `/api/products/${created.id}`)).body).toEqual(patched.body);

    const removed = await call("DELETE", `/api/products/${created.id}`, admin());
    expect(removed.status).toBe(204);
    expect(removed.body).toBe("");
    expectProblem(await call("GET", `/api/products/${created.id}`), 404, /does not exist/);
    expectProblem(await call("DELETE", `/api/products/${created.id}`, admin()), 404, /does not exist/);
  });

  it("answers 404 for unknown and malformed ids", async () => {
    const unknown = "01890000-0000-7000-8000-000000000000";
    expectProblem(await call("GET", `/api/products/${unknown}`), 404, new RegExp(unknown));
    expectProblem(await call("GET", "/api/products/not-a-uuid"), 404, /not-a-uuid/);
    expectProblem(await call("GET", "/api/products/'%3B%20drop"), 404, /does not exist/);
    expectProblem(
      await call("PATCH", `/api/products/${unknown}`, { ...admin(), json: { name: "x" } }),
      404,
      /does not exist/,
    );
  });

  it("refuses a second product with the same sku, on create and on change", async () => {
    await create({ sku: "DUP-1" });
    expectProblem(
      await call("POST", "/api/products", { ...admin(), json: newProduct({ sku: "DUP-1" }) }),
      409,
      /sku DUP-1/,
    );
    const other = await create({ sku: "DUP-2" });
    expectProblem(
      await call("PATCH", `/api/products/${other.id}`, { ...admin(), json: { sku: "DUP-1" } }),
      409,
      /sku DUP-1/,
    );
  });

  it("lets only admins change the catalog", async () => {
    const product = await create();
    const customer = { token: catalog.customerToken };
    expectProblem(await call("POST", "/api/products", { ...customer, json: newProduct() }), 403, /admin/);
    expectProblem(
      await call("PATCH", `/api/products/${product.id}`, { ...customer, json: { name: "x" } }),
      403,
      /admin/,
    );
    expectProblem(await call("DELETE", `/api/products/${product.id}`, customer), 403, /admin/);
    expectProblem(
      await call("POST", `/api/products/${product.id}/images`, {
        ...customer,
        body: productPng(product),
        contentType: "image/png",
      }),
      403,
      /admin/,
    );

    const noToken = await call("POST", "/api/products", { json: newProduct() });
    expectProblem(noToken, 401, /access token/);
    expect(noToken.headers.get("www-authenticate")).toBe("Bearer");
    const expired = await catalog.authority.token({ roles: ["admin"], expiresIn: "-10m" });
    expectProblem(await call("POST", "/api/products", { token: expired, json: newProduct() }), 401, /exp/i);
    const tampered = `${catalog.adminToken.slice(0, -4)}AAAA`;
    expectProblem(await call("DELETE", `/api/products/${product.id}`, { token: tampered }), 401, /./);
    // Authentication comes first: an anonymous request with a bad body is still a 401.
    expectProblem(await call("POST", "/api/products", { json: { nonsense: true } }), 401, /access token/);
  });

  it("refuses invalid bodies, naming every problem", async () => {
    const post = (json: unknown) => call("POST", "/api/products", { ...admin(), json });

    const malformed = await call("POST", "/api/products", {
      ...admin(),
      body: '{"sku": "X",',
      contentType: "application/json",
    });
    expectProblem(malformed, 400, /not valid JSON/);

    const missing = await post({ sku: "MISSING-1" });
    expectProblem(missing, 400, /3 problems/);
    expect(missing.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      "body.category",
      "body.name",
      "body.price",
    ]);

    const wrongTypes = await post(newProduct({ name: 42, price: { amount: "10", currency: "EUR" } }));
    expectProblem(wrongTypes, 400, /problem/);
    expect(wrongTypes.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      "body.name",
      "body.price.amount",
    ]);

    const negative = await post(newProduct({ price: { amount: -1, currency: "EUR" } }));
    expect(negative.body.errors).toEqual([{ path: "body.price.amount", message: expect.any(String) }]);
    const fractional = await post(newProduct({ price: { amount: 9.99, currency: "EUR" } }));
    expect(fractional.body.errors[0].message).toMatch(/minor units/);

    for (const currency of ["eur", "EURO", "XYZ"]) {
      const bad = await post(newProduct({ price: { amount: 100, currency } }));
      expectProblem(bad, 400, /1 problem/);
      expect(bad.body.errors[0]).toMatchObject({ path: "body.price.currency", message: /ISO 4217/ });
    }

    const unknownField = await post({ ...newProduct(), inStock: true });
    expectProblem(unknownField, 400, /problem/);
    expect(JSON.stringify(unknownField.body.errors)).toMatch(/inStock/);
    const unknownPriceField = await post(newProduct({ price: { amount: 1, currency: "EUR", tax: 1 } }));
    expect(JSON.stringify(unknownPriceField.body.errors)).toMatch(/tax/);

    const tooManyAttributes = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, i]));
    expect((await post(newProduct({ attributes: tooManyAttributes }))).body.errors[0].message).toMatch(/50/);
    const nestedAttribute = await post(newProduct({ attributes: { nested: { no: true } } }));
    expect(nestedAttribute.body.errors[0].path).toBe("body.attributes.nested");
    expectProblem(await post(newProduct({ name: "   " })), 400, /1 problem/);
    expectProblem(await post(newProduct({ sku: "has spaces" })), 400, /1 problem/);

    const huge = await post(newProduct({ description: "x".repeat(70 * 1024) }));
    expectProblem(huge, 413, /larger than the limit/);
    const notJson = await call("POST", "/api/products", {
      ...admin(),
      body: "sku=1",
      contentType: "text/plain",
    });
    expectProblem(notJson, 415, /application\/json/);
  });

  it("refuses an empty or invalid change", async () => {
    const product = await create();
    const patch = (json: unknown) => call("PATCH", `/api/products/${product.id}`, { ...admin(), json });
    const empty = await patch({});
    expectProblem(empty, 400, /1 problem/);
    expect(empty.body.errors).toEqual([{ path: "body", message: "name at least one field to change" }]);
    expectProblem(await patch({ price: { amount: -5, currency: "EUR" } }), 400, /1 problem/);
    const images = await patch({ images: [] });
    expectProblem(images, 400, /1 problem/);
    expect(images.body.errors).toEqual([{ path: "body", message: 'Unrecognized key: "images"' }]);
    expect((await call("GET", `/api/products/${product.id}`)).body).toEqual(product);
  });
});

describe("events", () => {
  const eventsOf = <Detail>(type: EventType<Detail>, productId: string) =>
    catalog.events
      .filter((event) => type.is(event) && (event.detail as { productId: string }).productId === productId)
      .map((event) => type.parse(event));

  it("publishes ProductCreated, ProductUpdated with the changed fields, PriceChanged and ProductDeleted", async () => {
    const product = await create({ sku: "EVT-1" });
    await waitFor(() => eventsOf(ProductCreated, product.id).length === 1, "ProductCreated");
    const [createdEvent] = eventsOf(ProductCreated, product.id);
    expect(createdEvent?.detail).toMatchObject({ productId: product.id, sku: "EVT-1", inStock: false });

    await call("PATCH", `/api/products/${product.id}`, { ...admin(), json: { name: "Renamed" } });
    await call("PATCH", `/api/products/${product.id}`, {
      ...admin(),
      json: { price: { amount: 1499, currency: "EUR" }, description: "Cheaper now." },
    });
    // The same values again: nothing changes and nothing is announced.
    await call("PATCH", `/api/products/${product.id}`, { ...admin(), json: { name: "Renamed" } });
    await waitFor(() => eventsOf(PriceChanged, product.id).length === 1, "PriceChanged");
    await waitFor(() => eventsOf(ProductUpdated, product.id).length === 2, "two ProductUpdated");
    expect(eventsOf(ProductUpdated, product.id).map((event) => event.detail.changed)).toEqual([
      ["name"],
      ["description", "price"],
    ]);
    expect(eventsOf(PriceChanged, product.id)[0]?.detail).toEqual({
      productId: product.id,
      sku: "EVT-1",
      oldPrice: { amount: 1999, currency: "EUR" },
      newPrice: { amount: 1499, currency: "EUR" },
    });

    await call("DELETE", `/api/products/${product.id}`, admin());
    await waitFor(() => eventsOf(ProductDeleted, product.id).length === 1, "ProductDeleted");
    expect(eventsOf(PriceChanged, product.id)).toHaveLength(1);
  });

  it("keeps inStock from inventory's StockLevelChanged, also when the level comes first", async () => {
    const processed = async () =>
      (await catalog.host.transport.stats()).find((queue) => queue.name === "catalog-stock-levels")
        ?.processed ?? 0;
    const level = (sku: string, available: number) =>
      StockLevelChanged.create(
        { sku, onHand: available + 1, reserved: 1, available },
        { correlationId: "catalog-test" },
      );

    const product = await create({ sku: "STOCK-1" });
    expect(product.inStock).toBe(false);
    await catalog.host.transport.publish([level("STOCK-1", 5)]);
    await waitFor(
      async () => (await call("GET", `/api/products/${product.id}`)).body.inStock === true,
      "inStock true",
    );
    await waitFor(
      () => eventsOf(ProductUpdated, product.id).some((event) => event.detail.changed.includes("inStock")),
      "ProductUpdated for the availability change",
    );
    await catalog.host.transport.publish([level("STOCK-1", 0)]);
    await waitFor(
      async () => (await call("GET", `/api/products/${product.id}`)).body.inStock === false,
      "inStock false",
    );

    const before = await processed();
    await catalog.host.transport.publish([level("STOCK-EARLY", 3)]);
    await waitFor(async () => (await processed()) > before, "the early level to be handled");
    expect((await create({ sku: "STOCK-EARLY" })).inStock).toBe(true);
  });
});

describe("search", () => {
  const category = "Search Audio";
  let headphones: { id: string };

  beforeAll(async () => {
    headphones = await create({
      sku: "SRCH-1",
      name: "Studio Headphones",
      category,
      description: "Closed-back headphones for mixing.",
      price: { amount: 12900, currency: "EUR" },
    });
    await create({
      sku: "SRCH-2",
      name: "Headphone Stand",
      category,
      description: "Holds your headphones on the desk.",
      price: { amount: 2900, currency: "EUR" },
    });
    await create({
      sku: "SRCH-3",
      name: "Desk Lamp",
      category,
      description: "A warm light that pairs well with long sessions wearing headphones.",
      price: { amount: 4900, currency: "EUR" },
    });
    await create({
      sku: "SRCH-4",
      name: "Bluetooth Speaker",
      category,
      price: { amount: 7900, currency: "EUR" },
    });
  });

  const search = async (query: string) => {
    const answer = await call("GET", `/api/products?${query}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body as {
      items: { id: string; name: string; price: { amount: number } }[];
      nextCursor: string | null;
    };
  };
  const names = (page: { items: { name: string }[] }) => page.items.map((item) => item.name);

  it("ranks the product named after the words first", async () => {
    const page = await search(`q=headphones&category=${encodeURIComponent(category)}`);
    expect(names(page)[0]).toBe("Studio Headphones");
    expect(names(page)).toContain("Desk Lamp");
    expect(names(page)).not.toContain("Bluetooth Speaker");
    expect(page.items[0]?.id).toBe(headphones.id);
  });

  it("tolerates typos in the name", async () => {
    const page = await search(`q=hedphones&category=${encodeURIComponent(category)}`);
    expect(names(page)[0]).toBe("Studio Headphones");
    expect(names(await search("q=speakr"))).toContain("Bluetooth Speaker");
    expect((await search("q=zzqxv")).items).toEqual([]);
  });

  it("filters by category and price and sorts by price", async () => {
    const inCategory = `category=${encodeURIComponent(category)}`;
    expect(names(await search(`${inCategory}&sort=price_asc`))).toEqual([
      "Headphone Stand",
      "Desk Lamp",
      "Bluetooth Speaker",
      "Studio Headphones",
    ]);
    expect(names(await search(`${inCategory}&sort=price_desc&minPrice=4900&maxPrice=7900`))).toEqual([
      "Bluetooth Speaker",
      "Desk Lamp",
    ]);
    expect(names(await search(`${inCategory}&q=headphones&sort=price_asc`))).toEqual([
      "Headphone Stand",
      "Desk Lamp",
      "Studio Headphones",
    ]);
    // Without words the default is the newest first.
    expect(names(await search(inCategory))).toEqual([
      "Bluetooth Speaker",
      "Desk Lamp",
      "Headphone Stand",
      "Studio Headphones",
    ]);
  });

  it("refuses bad queries and foreign cursors", async () => {
    expectProblem(await call("GET", "/api/products?minPrice=-1"), 400, /1 problem/);
    expectProblem(await call("GET", "/api/products?minPrice=500&maxPrice=100"), 400, /1 problem/);
    expectProblem(await call("GET", "/api/products?sort=cheapest"), 400, /1 problem/);
    expectProblem(await call("GET", "/api/products?limit=101"), 400, /1 problem/);
    expectProblem(await call("GET", "/api/products?cursor=!!!"), 400, /cursor/);
    const page = await search("sort=price_asc&limit=1");
    expectProblem(
      await call("GET", `/api/products?sort=newest&cursor=${page.nextCursor}`),
      400,
      /another sort/,
    );
  });
});

describe("pagination", () => {
  const category = "Paging";
  const total = 23;

  beforeAll(async () => {
    for (let i = 0; i < total; i++) {
      // Repeated prices, so that the id breaks ties between pages.
      await create({
        sku: `PAGE-${i}`,
        name: `Paging widget ${i}`,
        category,
        description: i % 2 === 0 ? "A widget for paging tests." : "Another widget.",
        price: { amount: 1000 + (i % 4) * 100, currency: "EUR" },
      });
    }
  });

  async function allPages(query: string) {
    const seen: { id: string; price: { amount: number }; createdAt: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const answer: Answer = await call(
        "GET",
        `/api/products?${query}&limit=5${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      seen.push(...answer.body.items);
      cursor = answer.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    return { seen, pages };
  }

  it.each(["price_asc", "price_desc", "newest", "relevance"])(
    "walks every page of sort %s without duplicates or gaps",
    async (sort) => {
      const query = `category=${category}&sort=${sort}${sort === "relevance" ? "&q=widget" : ""}`;
      const { seen, pages } = await allPages(query);
      expect(pages).toBe(5);
      expect(seen).toHaveLength(total);
      expect(new Set(seen.map((item) => item.id)).size).toBe(total);
      const amounts = seen.map((item) => item.price.amount);
      if (sort === "price_asc") expect(amounts).toEqual([...amounts].sort((a, b) => a - b));
      if (sort === "price_desc") expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
      if (sort === "newest") {
        const times = seen.map((item) => item.createdAt);
        expect(times).toEqual([...times].sort().reverse());
      }
    },
  );

  it("counts products per category", async () => {
    const answer = await call("GET", "/api/categories");
    expect(answer.status).toBe(200);
    expect(answer.body.items).toContainEqual({ name: "Paging", count: total });
    expect(answer.body.items).toContainEqual({ name: "Search Audio", count: 4 });
    const names = answer.body.items.map((item: { name: string }) => item.name);
    expect(names).toEqual([...names].sort());
  });
});

describe("images", () => {
  const upload = (
    productId: string,
    body: RequestInit["body"],
    contentType: string,
    token = catalog.adminToken,
  ) => call("POST", `/api/products/${productId}/images`, { token, body, contentType });

  it("stores an uploaded image, lists it on the product and serves it back", async () => {
    const product = await create({ sku: "IMG-1", category: "Audio" });
    const png = productPng(product);
    const answer = await upload(product.id, png, "image/png");
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.url).toMatch(new RegExp(`^/api/products/${product.id}/images/[0-9a-f-]{36}$`));

    const image = await fetch(`${catalog.host.url}${answer.body.url}`);
    expect(image.status).toBe(200);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(image.headers.get("cache-control")).toMatch(/max-age=31536000/);
    // Stored re-encoded: other bytes, the same pixels.
    const served = Buffer.from(await image.arrayBuffer());
    expect(await sharp(served).raw().toBuffer()).toEqual(await sharp(png).raw().toBuffer());

    const updated = (await call("GET", `/api/products/${product.id}`)).body;
    expect(updated.images).toEqual([answer.body.url]);
    await waitFor(
      () =>
        catalog.events.some(
          (event) =>
            ProductUpdated.is(event) &&
            ProductUpdated.parse(event).detail.productId === product.id &&
            ProductUpdated.parse(event).detail.changed.includes("images"),
        ),
      "ProductUpdated for the image",
    );

    const samples = await sampleImages();
    const jpegAnswer = await upload(product.id, samples.jpeg, "image/jpeg");
    expect(jpegAnswer.status).toBe(201);
    const jpeg = Buffer.from(await (await fetch(`${catalog.host.url}${jpegAnswer.body.url}`)).arrayBuffer());
    expect(jpeg.includes("Ada Lovelace")).toBe(false);
    const webpAnswer = await upload(product.id, samples.webp, "image/webp");
    expect(webpAnswer.status).toBe(201);
    const webp = await fetch(`${catalog.host.url}${webpAnswer.body.url}`);
    expect(webp.headers.get("content-type")).toBe("image/webp");

    await call("DELETE", `/api/products/${product.id}`, admin());
    expectProblem(await call("GET", answer.body.url), 404, /no image/);
  });

  it("refuses what is not an accepted image", async () => {
    const product = await create();
    const png = productPng(product);
    expectProblem(await upload(product.id, png, "image/jpeg"), 415, /not a JPEG image.*image\/png/);
    expectProblem(
      await upload(product.id, Buffer.from("hello, not an image"), "image/png"),
      415,
      /not a PNG/,
    );
    expectProblem(
      await upload(product.id, signatureThenHtml(), "image/png"),
      415,
      /^The body is not a PNG image: its header does not decode$/,
    );
    expectProblem(
      await upload(product.id, pngBomb(20_000), "image/png"),
      422,
      /20000x20000 pixels; at most 8192 on a side/,
    );
    expectProblem(await upload(product.id, "plain text", "text/plain"), 415, /text\/plain.*image\/png/);
    expectProblem(await upload(product.id, png, "image/gif"), 415, /image\/gif/);
    const tooBig = Buffer.concat([png, Buffer.alloc(5 * 1024 * 1024)]);
    expectProblem(await upload(product.id, tooBig, "image/png"), 413, /larger than the limit/);
    expectProblem(
      await upload("01890000-0000-7000-8000-000000000000", png, "image/png"),
      404,
      /does not exist/,
    );
    expectProblem(await upload("nope", png, "image/png"), 404, /does not exist/);
    expectProblem(await upload(product.id, png, "image/png", catalog.customerToken), 403, /admin/);
    expectProblem(await call("GET", `/api/products/${product.id}/images/../../x`), 404, /./);
    expectProblem(await call("GET", `/api/products/${product.id}/images/not-an-id`), 404, /no image/);
    expect((await call("GET", `/api/products/${product.id}`)).body.images).toEqual([]);
  });
});
