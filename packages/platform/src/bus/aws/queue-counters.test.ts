import { describe, expect, it } from "vitest";
import { QueueCounters } from "./queue-counters.ts";

describe("AWS queue counters", () => {
  it("runs an event's message once, lets it retry, and drops copies", () => {
    const counters = new QueueCounters();
    expect(counters.claim("e1", "m1", 0)).toBe("run");
    // The same message received again while its handler runs (a standard queue may do that).
    expect(counters.claim("e1", "m1", 1)).toBe("running");
    // Another message of the same event (a second rule of the queue) while the first runs.
    expect(counters.claim("e1", "m2", 2)).toBe("copy");
    counters.handled("e1", "retrying");
    expect(counters.claim("e1", "m1", 3)).toBe("run");
    counters.handled("e1", "done");
    expect(counters.claim("e1", "m1", 4)).toBe("copy");
    expect(counters.claim("e1", "m2", 5)).toBe("copy");
  });

  it("forgets an event after 10 minutes", () => {
    const counters = new QueueCounters();
    expect(counters.claim("e1", "m1", 0)).toBe("run");
    counters.handled("e1", "done");
    expect(counters.claim("e1", "m2", 10 * 60 * 1000)).toBe("run");
  });

  it("counts retries not yet due, and the age of the oldest message held", () => {
    const counters = new QueueCounters();
    counters.retryDueAt.set("m1", 2_000);
    counters.retryDueAt.set("m2", 500);
    expect(counters.delayed(1_000)).toBe(1);
    expect(counters.oldestHeldAgeMs(1_000)).toBe(0);
    counters.heldSince.set("m1", 400);
    counters.heldSince.set("m3", 700);
    expect(counters.oldestHeldAgeMs(1_000)).toBe(600);
    counters.settled("m1");
    expect(counters.oldestHeldAgeMs(1_000)).toBe(300);
    expect(counters.delayed(1_000)).toBe(0);
  });
});
