import { parseArgs } from "node:util";

// Commands load their modules on demand, so that a quick command does not load the whole platform.
const queues = () => import("./commands/queues.ts");

const usage = `usage: mercato <command>

  start [--service <name>]...          run every service in one process, or only those named
  events test-pattern <pattern> <event> print whether an EventBridge pattern matches an event
  queues [--url <url>]                  list queues with their counters
  dlq <queue> [--url <url>]             list a queue's dead letters
  redrive <queue> [--id <id>]...        move dead letters (all, or those named) back to the queue
  purge <queue>                         delete every message waiting in a queue

The queue commands talk to a running server: --url, MERCATO_URL, or http://127.0.0.1:$PORT,
with MERCATO_OPS_TOKEN or the token file in MERCATO_DATA_DIR.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      service: { type: "string", multiple: true, default: [] },
      id: { type: "string", multiple: true, default: [] },
      url: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === "help") {
    console.log(usage);
    return command === undefined && !values.help ? 2 : 0;
  }
  switch (command) {
    case "start":
      return (await import("./commands/start.ts")).start(values.service);
    case "events":
      if (rest[0] !== "test-pattern") break;
      return (await import("./commands/test-pattern.ts")).testPattern(rest[1], rest[2]);
    case "queues": {
      const { listQueues, OpsClient } = await queues();
      return listQueues(await OpsClient.fromEnvironment(values.url));
    }
    case "dlq": {
      if (!rest[0]) break;
      const { showDeadLetters, OpsClient } = await queues();
      return showDeadLetters(await OpsClient.fromEnvironment(values.url), rest[0]);
    }
    case "redrive": {
      if (!rest[0]) break;
      const { redrive, OpsClient } = await queues();
      return redrive(await OpsClient.fromEnvironment(values.url), rest[0], values.id);
    }
    case "purge": {
      if (!rest[0]) break;
      const { purge, OpsClient } = await queues();
      return purge(await OpsClient.fromEnvironment(values.url), rest[0]);
    }
  }
  console.error(usage);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
