import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webAppRoutes } from "../../services/gateway/src/api/web-app.ts";
import { startShop } from "../support/shop.ts";

/** How the gateway serves the built storefront (scripts/build.mjs builds it before the tests). */
describe("the gateway serving the web app", () => {
  let shop: Awaited<ReturnType<typeof startShop>>;
  let url: string;

  beforeAll(async () => {
    shop = await startShop();
    url = shop.client.url;
  });

  afterAll(async () => {
    await shop?.close();
  });

  it("answers index.html, never cached, for every client route, with a policy that lets it run", async () => {
    const paths = webAppRoutes.map((route) => route.replace(":id", "0190a8c2-0000-7000-8000-000000000000"));
    for (const path of [...paths, "/search?q=lamp"]) {
      const answer = await fetch(`${url}${path}`);
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get("content-type")).toMatch(/^text\/html/);
      expect(answer.headers.get("cache-control")).toBe("no-cache");
      const policy = answer.headers.get("content-security-policy") ?? "";
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("connect-src 'self'");
      expect(policy).not.toContain("'unsafe-eval'");
      expect(await answer.text()).toContain('<div id="app">');
    }
  });

  it("serves hashed assets compressed and cached for a year", async () => {
    const page = await (await fetch(`${url}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1];
    expect(script).toBeDefined();
    for (const encoding of ["br", "gzip"]) {
      const answer = await fetch(`${url}${script}`, { headers: { "accept-encoding": encoding } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get("content-encoding")).toBe(encoding);
      expect(answer.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(answer.headers.get("content-type")).toMatch(/javascript/);
      expect((await answer.text()).length).toBeGreaterThan(1000);
    }
  });

  it("keeps the storefront's JavaScript under 200 KB gzipped (a production build)", async () => {
    const page = await (await fetch(`${url}/`)).text();
    const scripts = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((match) => match[1]);
    let bytes = 0;
    for (const script of scripts) {
      // fetch decodes what it receives, so the size is measured by compressing again.
      const answer = await fetch(`${url}${script}`);
      bytes += gzipSync(Buffer.from(await answer.arrayBuffer())).byteLength;
    }
    expect(scripts.length).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(200 * 1024);
  });

  it("leaves the API and unknown paths to their problem answers", async () => {
    for (const path of ["/api/nothing-here", "/no-such-page", "/assets/missing.js", "/health/nope"]) {
      const answer = await fetch(`${url}${path}`);
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
    const api = await fetch(`${url}/api/categories`, { headers: { "accept-encoding": "gzip" } });
    expect(api.status).toBe(200);
    expect(api.headers.get("content-encoding")).toBeNull();
    expect(api.headers.get("content-security-policy")).toContain("default-src 'none'");
  });
});
