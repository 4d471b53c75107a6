import { defineEvent } from "@mercato/contracts";
import { defineService } from "@mercato/platform";
import { z } from "zod";

/**
 * A consumer the operations tests steer, with two queues, `probe-held` and `probe-flaky`, each
 * getting the probes addressed to it: `hold` waits until released (so that the messages behind it
 * wait in the queue), `fail` fails while `state.failing` is on. Each queue runs one message at a
 * time and dead-letters a message at its first failure.
 */
export const ProbeSent = defineEvent({
  source: "mercato.probe",
  detailType: "ProbeSent",
  description: "test event of the operations tests",
  detail: z.object({ queue: z.enum(["held", "flaky"]), mode: z.enum(["hold", "fail", "ok"]), n: z.number() }),
});

export type Probe = ReturnType<typeof createProbe>;

export function createProbe() {
  let release = () => {};
  let held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const state = { failing: true, handled: [] as number[] };
  const subscription = (name: "held" | "flaky") => ({
    name,
    eventPattern: { ...ProbeSent.pattern, detail: { queue: [name] } },
    queue: {
      visibilityTimeoutMs: 60_000,
      maxReceiveCount: 1,
      backoff: { baseMs: 10, maxMs: 10 },
      concurrency: 1,
    },
    async handle(envelope: Parameters<typeof ProbeSent.parse>[0]) {
      const { mode, n } = ProbeSent.parse(envelope).detail;
      if (mode === "hold") await held;
      if (mode === "fail" && state.failing) throw new Error(`probe ${n} fails as told`);
      state.handled.push(n);
    },
  });
  return {
    service: defineService({ name: "probe", subscriptions: [subscription("held"), subscription("flaky")] }),
    state,
    /** Lets every held handler finish; the next ones are held again. */
    release() {
      const letGo = release;
      held = new Promise<void>((resolve) => {
        release = resolve;
      });
      letGo();
    },
    /** A probe for one queue, as the bus carries it. */
    event(queue: "held" | "flaky", mode: "hold" | "fail" | "ok", n: number) {
      return ProbeSent.create({ queue, mode, n }, { correlationId: `probe-${n}` });
    },
  };
}
