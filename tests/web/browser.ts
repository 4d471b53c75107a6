import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, chromium, type Page } from "playwright-core";
import { expect } from "vitest";
import type { ShopClient } from "../support/shop.ts";

/** Debian's Chromium (`.ci/run` installs it); CHROMIUM_PATH points elsewhere. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Whether the browser tests can run. Under CI=true a missing Chromium fails the file (a skipped
 * browser test would pass CI without testing anything); locally the tests skip and say why.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  const message = `Chromium is not at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`Skipping the browser tests: ${message}`);
  return false;
}

/**
 * Screenshots go to test-results/web/<suite> (git-ignored), one folder per test file (files run in
 * parallel), emptied when that file starts.
 */
const screenshotRoot = path.join(import.meta.dirname, "../../test-results/web");
let screenshotDir = screenshotRoot;

export async function launchBrowser(suite: string): Promise<Browser> {
  screenshotDir = path.join(screenshotRoot, suite);
  await rm(screenshotDir, { recursive: true, force: true });
  await mkdir(screenshotDir, { recursive: true });
  return chromium.launch({ executablePath: chromiumPath, headless: true });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/**
 * A page (desktop-sized unless told) whose session is stored as the sign-in form stores it, at
 * every document load; `staleAccessToken` stores one the API refuses, to make the page refresh it.
 */
export async function signedInPage(
  browser: Browser,
  client: ShopClient,
  credentials: { email: string; password: string },
  options: { viewport?: { width: number; height: number }; staleAccessToken?: boolean } = {},
): Promise<{ page: Page; accessToken: string; refreshToken: string }> {
  const login = await client.call("POST", "/api/auth/login", { body: credentials });
  expect(login.status).toBe(200);
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1024, height: 900 } });
  const page = await context.newPage();
  // The run's poll limit, so that a slow saga on a loaded machine is waited for like elsewhere.
  page.setDefaultTimeout(60_000);
  const session = JSON.stringify({
    user: login.body.user,
    accessToken: options.staleAccessToken ? "no.longer.valid" : login.body.accessToken,
    refreshToken: login.body.refreshToken,
  });
  await page.addInitScript({
    content: `localStorage.setItem("mercato.session", ${JSON.stringify(session)})`,
  });
  return { page, accessToken: login.body.accessToken, refreshToken: login.body.refreshToken };
}

/** axe-core finds no serious or critical violation on the page as it is now. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const severe = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${name}: ${violation.id} (${violation.impact}) ${violation.help}`);
  expect(severe).toEqual([]);
}
