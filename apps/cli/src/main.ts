import { Command, CommanderError, Option } from "commander";
import cliPackage from "../package.json" with { type: "json" };
import { CommandError, OpsClient } from "./commands/ops-client.ts";

// Commands load their modules on demand, so that a quick command does not load the whole platform.
const queues = () => import("./commands/queues.ts");

/** Exit codes: 0 done, 1 the work failed, 2 the command line was wrong. */
const usageError = 2;

function program(): Command {
  const mercato = new Command("mercato")
    .description("Mercato, the event-driven commerce platform: run it and operate its queues")
    .version(cliPackage.version, "-v, --version")
    .showHelpAfterError("(run `mercato --help` or `mercato <command> --help` for usage)")
    .showSuggestionAfterError()
    .exitOverride();
  const urlOption = () =>
    new Option("--url <url>", "the server's address")
      .env("MERCATO_URL")
      .default(undefined, "http://127.0.0.1:$PORT");

  mercato
    .command("start")
    .description("run every service in one process, or only those named")
    .option("-s, --service <name...>", "a service to run (repeat or list several)", [])
    .option(
      "-d, --distributed",
      "every service in a process of its own on DATABASE_URL and BUS_URL, supervised, the gateway on PORT",
    )
    .option(
      "-i, --instances <service=count...>",
      "with --distributed: run several instances of a service, e.g. inventory=2",
      [],
    )
    .addHelpText(
      "after",
      "\nServices: gateway, identity, catalog, inventory, cart, orders, payments, recommendations, events,\nnotifications, webhooks. Settings come from environment variables; see docs/configuration.md.",
    )
    .action(async (options: { service: string[]; distributed?: boolean; instances: string[] }) => {
      if (options.distributed && options.service.length > 0) {
        console.error("--distributed runs every service; it cannot be combined with --service");
        process.exitCode = usageError;
        return;
      }
      if (!options.distributed && options.instances.length > 0) {
        console.error("--instances needs --distributed");
        process.exitCode = usageError;
        return;
      }
      if (options.distributed) {
        const { startDistributed } = await import("./commands/start-distributed.ts");
        process.exitCode = await startDistributed(options.instances);
        return;
      }
      const { start } = await import("./commands/start.ts");
      process.exitCode = await start(options.service);
    });

  mercato
    .command("events")
    .description("work with events and patterns")
    .command("test-pattern")
    .description("print whether an EventBridge pattern matches an event (true or false)")
    .argument("<pattern>", "the pattern, as JSON")
    .argument("<event>", "the event, as JSON")
    .action(async (pattern: string, event: string) => {
      const { testPattern } = await import("./commands/test-pattern.ts");
      process.exitCode = testPattern(pattern, event);
    });

  mercato
    .command("queues")
    .description("list queues with depth, in flight, delayed, DLQ depth, age of the oldest and counters")
    .addOption(urlOption())
    .action(async (options: { url?: string }) => {
      const { listQueues } = await queues();
      process.exitCode = await listQueues(await OpsClient.fromEnvironment(options.url));
    });

  mercato
    .command("dlq")
    .description("list a queue's dead letters with the last error of each")
    .argument("<queue>", "the queue's name (see `mercato queues`)")
    .addOption(urlOption())
    .action(async (queue: string, options: { url?: string }) => {
      const { showDeadLetters } = await queues();
      process.exitCode = await showDeadLetters(await OpsClient.fromEnvironment(options.url), queue);
    });

  mercato
    .command("redrive")
    .description("move dead letters back to their queue: all of them, or those named")
    .argument("<queue>", "the queue's name")
    .option("--id <id...>", "a dead letter's id (see `mercato dlq <queue>`)", [])
    .addOption(urlOption())
    .action(async (queue: string, options: { id: string[]; url?: string }) => {
      const { redrive } = await queues();
      process.exitCode = await redrive(await OpsClient.fromEnvironment(options.url), queue, options.id);
    });

  mercato
    .command("purge")
    .description("delete every message waiting in a queue (not its dead letters)")
    .argument("<queue>", "the queue's name")
    .addOption(urlOption())
    .action(async (queue: string, options: { url?: string }) => {
      const { purge } = await queues();
      process.exitCode = await purge(await OpsClient.fromEnvironment(options.url), queue);
    });

  mercato.addHelpText(
    "after",
    "\nThe queue commands talk to a running server (--url, MERCATO_URL, or http://127.0.0.1:$PORT)\nwith MERCATO_OPS_TOKEN or the token file in MERCATO_DATA_DIR.",
  );
  return mercato;
}

program()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof CommanderError) {
      // Help and version are answers, not failures; commander has already printed the message.
      process.exitCode = error.exitCode === 0 ? 0 : usageError;
      return;
    }
    console.error(error instanceof CommandError ? error.message : error);
    process.exitCode = 1;
  });
