import { ConfigError } from "@mercato/platform";
import { describe, expect, it } from "vitest";
import { gatewaySettings } from "../src/settings.ts";

function problemsOf(env: Record<string, string>): string[] {
  try {
    gatewaySettings(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("the settings were accepted");
}

describe("gateway settings", () => {
  it("runs the services in this process when MERCATO_SERVICE_URLS is unset or empty", () => {
    expect(gatewaySettings({})).toEqual({ requestsPerMinute: 1200, cacheTtlMs: 30_000 });
    expect(gatewaySettings({ MERCATO_SERVICE_URLS: "" }).serviceUrls).toBeUndefined();
  });

  it("reads where each service runs, as origins", () => {
    const settings = gatewaySettings({
      MERCATO_SERVICE_URLS:
        " identity=http://127.0.0.1:8081 , catalog=https://catalog.internal/ | http://127.0.0.1:8092,",
    });
    expect(Object.fromEntries(settings.serviceUrls ?? [])).toEqual({
      identity: ["http://127.0.0.1:8081"],
      catalog: ["https://catalog.internal", "http://127.0.0.1:8092"],
    });
  });

  it("names every problem of the list at once", () => {
    expect(
      problemsOf({
        MERCATO_RATE_LIMIT_PER_MINUTE: "0",
        MERCATO_SERVICE_URLS:
          "identity=http://127.0.0.1:8081,catalgo=http://x,catalog,identity=http://y,cart=ftp://z,inventory=http://h/api,orders=http://u:p@h",
      }),
    ).toEqual([
      'MERCATO_RATE_LIMIT_PER_MINUTE must be at least 1 (got "0")',
      'MERCATO_SERVICE_URLS names an unknown service "catalgo"; services with routes are identity, catalog, inventory, cart, orders, recommendations, notifications, webhooks, events',
      'MERCATO_SERVICE_URLS entry "catalog" must be <service>=<url>, like catalog=http://127.0.0.1:8082',
      "MERCATO_SERVICE_URLS names identity twice",
      'MERCATO_SERVICE_URLS gives cart "ftp://z", which is not an http or https origin like http://127.0.0.1:8082 (no path, query or credentials)',
      'MERCATO_SERVICE_URLS gives inventory "http://h/api", which is not an http or https origin like http://127.0.0.1:8082 (no path, query or credentials)',
      'MERCATO_SERVICE_URLS gives orders "http://u:p@h", which is not an http or https origin like http://127.0.0.1:8082 (no path, query or credentials)',
    ]);
    expect(problemsOf({ MERCATO_SERVICE_URLS: " , " })).toEqual([
      "MERCATO_SERVICE_URLS must list at least one <service>=<url>",
    ]);
    expect(problemsOf({ MERCATO_SERVICE_URLS: "gateway=http://127.0.0.1:8080" })[0]).toMatch(
      /^MERCATO_SERVICE_URLS names an unknown service "gateway"/,
    );
  });
});
