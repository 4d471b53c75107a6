import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import fs from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { type Browser, chromium } from "playwright-core";
import { freePort } from "../tests/support/mercato-process.ts";
import { formatMs, printTable } from "./machine.ts";

/**
 * The storefront's home page in headless Chromium, the platform started with `npm start` on a
 * fresh data directory and the demo shop loaded, as a newcomer sees it. Each load is a fresh
 * browser context (no cache, no storage), after one warm-up load that is not counted. Two moments:
 *
 * - DOM interactive: the navigation timing's `domInteractive`, the HTML parsed;
 * - usable: the first product card's link rendered and visible and the header's Search link
 *   visible (the home page has no search box of its own: the link is its way to search), both
 *   put there by the app's script, so the page's JavaScript has run and the catalog has answered.
 *
 * Beside them, the floor measured in the same run: the same Chromium loading a minimal static
 * page (one link) from a bare node http server, timed the same way. Then the sizes of what the
 * storefront and the console load, raw and gzipped, beside the 200 KB gzipped budget.
 */
const root = fileURLToPath(new URL("../", import.meta.url));
const dist = path.join(root, "apps/web/dist");
const loads = Number(process.env.BENCH_WEB_LOADS ?? 9);
const budgetBytes = 200 * 1024;
const viewport = { width: 1280, height: 800 };
/** As tests/web/browser.ts (which imports vitest, so it cannot be loaded here): Debian's, or CHROMIUM_PATH. */
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Elements that must be visible for the page to count as usable (all of them). */
const usableWhen = ['ul.grid[aria-label="Products"] li.card a', 'nav[aria-label="Main"] a[href="/search"]'];
const bareUsableWhen = ["main a"];

/** What the page records, read from it with functions that run in the page. */
interface PageTimes {
  usableAt?: number;
  usableTop?: number;
  domInteractive?: number;
}

interface Load {
  domInteractiveMs: number;
  usableMs: number;
  /** Where the first watched element (the first product card's link) was then, in CSS pixels. */
  topPx: number;
}

export async function main(): Promise<void> {
  const sizes = await assetSizes();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "mercato-bench-web-"));
  const port = await freePort();
  const npm = spawn("npm", ["start", "--silent"], {
    cwd: root,
    env: { ...process.env, PORT: String(port), MERCATO_DATA_DIR: dataDir, LOG_LEVEL: "warn" },
    detached: true,
    stdio: "ignore",
  });
  const exited = new Promise((resolve) => npm.once("exit", resolve));
  const bare = await bareServer();
  let browser: Browser | undefined;
  try {
    await until(async () => (await readiness(port))?.progress?.demoShop === "loaded");
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
    const home = await measure(browser, `http://127.0.0.1:${port}/`, usableWhen);
    const floor = await measure(browser, bare.url, bareUsableWhen);
    const spread = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
      return `${formatMs(median)} ms (${formatMs(sorted[0] ?? Number.NaN)}-${formatMs(sorted.at(-1) ?? Number.NaN)})`;
    };
    console.log(
      `home page, ${loads} loads (median (min-max)), fresh context each, ${viewport.width}x${viewport.height}`,
    );
    printTable([
      {
        measure: "DOM interactive",
        "home page": spread(home.map((load) => load.domInteractiveMs)),
        "floor: static page, bare node http": spread(floor.map((load) => load.domInteractiveMs)),
      },
      {
        measure: "usable (first product link + Search link visible)",
        "home page": spread(home.map((load) => load.usableMs)),
        "floor: static page, bare node http": spread(floor.map((load) => load.usableMs)),
      },
    ]);
    const tops = home.map((load) => Math.round(load.topPx));
    console.log(
      `the first product card's link was ${Math.min(...tops)}-${Math.max(...tops)} px from the top of the ${viewport.height} px viewport` +
        (Math.max(...tops) < viewport.height ? " (on screen)" : " (below the fold)"),
    );
    console.log("");
    printTable(sizes);
  } finally {
    await browser?.close();
    await new Promise((resolve) => bare.server.close(resolve));
    process.kill(-(npm.pid as number), "SIGINT");
    await exited;
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

async function measure(browser: Browser, url: string, usable: string[]): Promise<Load[]> {
  const results: Load[] = [];
  for (let run = 0; run <= loads; run++) {
    const context = await browser.newContext({ viewport });
    try {
      const page = await context.newPage();
      // Watched from inside the page, each animation frame from the document's start, so the time
      // is the page's own clock (0 = navigation start) and not Playwright's round trips.
      // A string: tsx would wrap a function's inner functions in a helper the page lacks.
      await page.addInitScript({
        content: `{
          const selectors = ${JSON.stringify(usable)};
          const watch = () => {
            const usable = selectors.every((selector) => {
              const element = document.querySelector(selector);
              return element !== null && element.checkVisibility() && element.getBoundingClientRect().height > 0;
            });
            if (usable) {
              window.usableAt = performance.now();
              window.usableTop = document.querySelector(selectors[0]).getBoundingClientRect().top;
            }
            else requestAnimationFrame(watch);
          };
          requestAnimationFrame(watch);
        }`,
      });
      await page.goto(url, { waitUntil: "commit" });
      await page.waitForFunction(() => (globalThis as PageTimes).usableAt !== undefined, undefined, {
        timeout: 60_000,
      });
      const { usableMs, topPx, domInteractiveMs } = await page.evaluate(() => ({
        usableMs: (globalThis as PageTimes).usableAt as number,
        topPx: (globalThis as PageTimes).usableTop as number,
        domInteractiveMs: (performance.getEntriesByType("navigation" as never)[0] as unknown as PageTimes)
          .domInteractive as number,
      }));
      // The first load warms the server's caches and Chromium's process pool.
      if (run > 0) results.push({ domInteractiveMs, usableMs, topPx });
    } finally {
      await context.close();
    }
  }
  return results;
}

/** What index.html loads is the storefront; every other script and stylesheet is the console's chunk. */
async function assetSizes(): Promise<Record<string, string>[]> {
  const index = await fs.readFile(path.join(dist, "index.html"), "utf8").catch(() => {
    throw new Error("apps/web/dist/index.html is missing: run npm run build first");
  });
  const storefront = new Set(
    [...index.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((match) => match[1]),
  );
  const assets = readdirSync(path.join(dist, "assets"));
  const part = (name: string) => (storefront.has(name) ? "storefront" : "console");
  const totals = new Map<string, { raw: number; gzipped: number }>();
  for (const name of assets) {
    const kind = name.endsWith(".js") ? "JS" : name.endsWith(".css") ? "CSS" : undefined;
    if (!kind) continue;
    const bytes = readFileSync(path.join(dist, "assets", name));
    const key = `${part(name)} ${kind}`;
    const total = totals.get(key) ?? { raw: 0, gzipped: 0 };
    total.raw += bytes.byteLength;
    total.gzipped += gzipSync(bytes).byteLength;
    totals.set(key, total);
  }
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  return ["storefront JS", "storefront CSS", "console JS", "console CSS"].map((key) => {
    const total = totals.get(key) ?? { raw: 0, gzipped: 0 };
    return {
      asset: key,
      raw: kb(total.raw),
      gzipped: kb(total.gzipped),
      limit:
        key === "storefront JS"
          ? `<= ${kb(budgetBytes)} gzipped (${((100 * total.gzipped) / budgetBytes).toFixed(0)}% used)`
          : "-",
    };
  });
}

/** The floor: a static page with one link, from a plain node http server. */
async function bareServer(): Promise<{ server: ReturnType<typeof createServer>; url: string }> {
  const page =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Floor</title></head>' +
    '<body><main><a href="/elsewhere">A product</a></main></body></html>';
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" });
    response.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

async function readiness(port: number): Promise<{ progress?: { demoShop?: string } } | undefined> {
  const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
  return response
    ? ((await response.json().catch(() => undefined)) as { progress?: { demoShop?: string } })
    : undefined;
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 100));
}
