import { describe, expect, it } from "vitest";
import { freePort } from "../../../tests/support/mercato-process.ts";
import cliPackage from "../package.json" with { type: "json" };
import { cli } from "./support/cli.ts";

describe("mercato events test-pattern", () => {
  it("prints true for a match and false otherwise, exiting 0", async () => {
    const pattern = JSON.stringify({
      source: ["mercato.orders"],
      detail: { total: [{ numeric: [">", 100] }] },
    });
    const matching = await cli([
      "events",
      "test-pattern",
      pattern,
      '{"source":"mercato.orders","detail":{"total":150}}',
    ]);
    expect(matching).toMatchObject({ code: 0, stdout: "true\n" });
    const other = await cli([
      "events",
      "test-pattern",
      pattern,
      '{"source":"mercato.orders","detail":{"total":50}}',
    ]);
    expect(other).toMatchObject({ code: 0, stdout: "false\n" });
  });

  it("prints the reason and exits 2 for an invalid pattern or bad JSON", async () => {
    const invalid = await cli(["events", "test-pattern", '{"source":"mercato.orders"}', '{"source":"x"}']);
    expect(invalid.code).toBe(2);
    expect(invalid.stdout).toBe("");
    expect(invalid.stderr).toMatch(/^invalid pattern: .*source/);
    const notJson = await cli(["events", "test-pattern", "{source:", '{"source":"x"}']);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/the pattern is not valid JSON/);
  });
});

describe("mercato: what a person at a terminal gets wrong", () => {
  it("names an unknown command, suggests the nearest, and exits 2", async () => {
    const unknown = await cli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: unknown command 'frobnicate'");
    expect(unknown.stderr).toContain("mercato --help");
    const typo = await cli(["queus"]);
    expect(typo.stderr).toContain("(Did you mean queues?)");
  });

  it("names a missing argument and exits 2", async () => {
    expect(await cli(["dlq"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("missing required argument 'queue'"),
    });
    expect(await cli(["events", "test-pattern", "{}"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("missing required argument 'event'"),
    });
  });

  it("gives each command its own help, and the version", async () => {
    const help = await cli(["redrive", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: mercato redrive [options] <queue>");
    expect(help.stdout).toContain("--id <id...>");
    expect(help.stdout).not.toContain("purge");
    expect(await cli(["--version"])).toMatchObject({ code: 0, stdout: `${cliPackage.version}\n` });
  });

  it("names the address it tried when no server answers", async () => {
    const port = await freePort();
    const answer = await cli(["queues", "--url", `http://127.0.0.1:${port}`], {
      MERCATO_OPS_TOKEN: "an-operations-token-of-a-server",
    });
    expect(answer.code).toBe(1);
    expect(answer.stderr).toContain(`No Mercato server answers at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(answer.stderr).not.toMatch(/\n\s+at /);
  });

  it("names an unknown service to start and lists the others", async () => {
    const answer = await cli(["start", "--service", "warehouse"]);
    expect(answer.code).toBe(2);
    expect(answer.stderr).toContain("Unknown service warehouse; services are: gateway, identity");
  });
});
