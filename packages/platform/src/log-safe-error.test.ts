import { describe, expect, it } from "vitest";
import { errorSummary } from "./log-safe-error.ts";
import { captureLogs } from "./testing/log-capture.ts";

const secret = "scrypt$15$8$1$c2FsdA$a2V5";

/** What PGlite throws: the statement and its parameters ride on the error. */
function pgliteLikeError(): Error {
  return Object.assign(new Error('invalid input syntax for type uuid: "ada@example.com"'), {
    code: "22P02",
    severity: "ERROR",
    query: 'insert into "users" ("id", "password_hash") values ($1, $2)',
    params: ["ada@example.com", secret],
    queryOptions: { rowMode: "object" },
    detail: `Failing row contains (ada@example.com, ${secret})`,
  });
}

describe("errors on their way to a log line", () => {
  it("a database error reached only as the cause or part of another error is scrubbed too", () => {
    const capture = captureLogs();
    capture.logger.error({ err: new Error("registration failed", { cause: pgliteLikeError() }) }, "failed");
    capture.logger.error({ err: new AggregateError([pgliteLikeError()], "several failed") }, "failed");
    const wrapper = Object.assign(new Error("handler failed"), { original: pgliteLikeError() });
    capture.logger.warn({ err: wrapper }, "failed");
    const text = capture.text();
    expect(text).not.toContain(secret);
    expect(text).not.toContain("ada@example.com");
    expect(text).toContain("22P02");
    expect(text).toContain('insert into \\"users\\"');
  });

  it("a failed attempt's summary names the code and statement", () => {
    const error = pgliteLikeError();
    expect(errorSummary(error)).toBe(
      'invalid input syntax for type uuid: [value hidden] (SQLSTATE 22P02, insert into "users")',
    );
    expect(Object.keys(error).sort()).toEqual(["code", "severity", "statement"]);
  });

  it("other errors keep their message and fields", () => {
    const capture = captureLogs();
    capture.logger.error({ err: Object.assign(new Error("queue full"), { queue: "orders" }) }, "failed");
    expect(JSON.parse(capture.text()).err).toMatchObject({
      type: "Error",
      message: "queue full",
      queue: "orders",
    });
    expect(errorSummary(new TypeError("bad"))).toBe("bad");
  });
});
