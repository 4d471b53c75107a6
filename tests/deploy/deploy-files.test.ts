import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { GatewaySettings } from "@mercato/gateway";
import { createMetrics, inboxRetentionMs, loadConfig } from "@mercato/platform";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Namespace, PersistentVolumeClaim, Service } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { serviceCatalog } from "../../apps/cli/src/services.ts";
import { routedServices } from "../../services/gateway/src/domain/routes-table.ts";

/**
 * deploy/ cannot run here (no Docker engine, no cluster), so its files are checked statically:
 * parsed, validated against the Kubernetes schemas and promtool, and held to the code: every
 * service, port, variable and metric they name must exist there, and every service must have its
 * container, Deployment and scrape target. The alert rules' names, metrics and thresholds against
 * GET /api/ops/alerts are checked by packages/platform/src/ops/alerts/alert-rules.test.ts.
 */

const root = fileURLToPath(new URL("../../", import.meta.url));
const deploy = path.join(root, "deploy");
const run = promisify(execFile);

const read = (file: string) => fs.readFile(path.join(root, file), "utf8");
const readYaml = async (file: string): Promise<unknown> => parse(await read(file), { merge: true });

type Env = Record<string, string>;
// biome-ignore lint/suspicious/noExplicitAny: YAML documents are checked field by field below.
type Doc = any;

const serviceNames = serviceCatalog.map((entry) => entry.name);
const definitions = new Map(serviceCatalog.map((entry) => [entry.name, entry.create()]));

/** Every .ts file under a folder, tests left out. */
async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await fs.readdir(path.join(root, folder), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts"))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.split(path.sep).includes("test"));
}

/** The schema keys a settings file declares: `  NAME: z...`. */
const keysOf = (source: string) =>
  [...source.matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm)].map(([, name]) => name ?? "");

/**
 * The variables the code reads: the platform's (every process) from its configuration schemas and
 * `process.env.NAME`, and each service's own from its settings schema.
 */
async function variablesRead(): Promise<{ platform: Set<string>; byService: Map<string, Set<string>> }> {
  const platform = new Set<string>();
  for (const file of [
    "packages/platform/src/config.ts",
    "packages/platform/src/ops/alerts/alert-settings.ts",
    "packages/platform/src/service/inbox-pruning.ts",
  ]) {
    for (const name of keysOf(await read(file))) platform.add(name);
  }
  for (const file of await sourceFiles("packages/platform/src")) {
    for (const [, name] of (await read(file)).matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g))
      platform.add(name ?? "");
  }
  const byService = new Map<string, Set<string>>();
  for (const name of serviceNames) {
    const settings = await read(`services/${name}/src/settings.ts`).catch(() => "");
    byService.set(name, new Set(keysOf(settings)));
  }
  return { platform, byService };
}

/** The names of the metrics the code defines (prom-client), with a histogram's series suffixes. */
async function metricsDefined(): Promise<Set<string>> {
  const names = new Set<string>();
  // The registry as created: Node's process metrics and the HTTP histogram.
  for (const metric of await createMetrics().registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === "histogram")
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(metric.name + suffix);
  }
  const files = [...(await sourceFiles("packages")), ...(await sourceFiles("services"))];
  for (const file of files) {
    const source = await read(file);
    // Every definition passes the name, without the prefix, then the help text.
    for (const [, name] of source.matchAll(/name:\s*"([a-z][a-z0-9_]*)",\s*help:/g))
      names.add(`mercato_${name}`);
    for (const [, name] of source.matchAll(/histogram\(\{\s*name:\s*"([a-z][a-z0-9_]*)"/g)) {
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`mercato_${name}${suffix}`);
    }
  }
  return names;
}

const metricNamesIn = (expr: string) => [...expr.matchAll(/\bmercato_[a-z0-9_]+/g)].map(([name]) => name);

/** A tool the checks need: absent, they skip on a developer's machine, but CI=true requires it. */
async function requireTool(command: string, why: string): Promise<boolean> {
  const found = await run(command, ["--version"]).then(
    () => true,
    () => false,
  );
  if (found) return true;
  const message = `${command} is not installed (${why})`;
  if (process.env.CI === "true") throw new Error(`${message}; CI=true requires it (.ci/run installs it)`);
  console.warn(`Skipping the ${command} checks: ${message}`);
  return false;
}

/** Placeholder secrets of the right shape, for the values the files leave to the operator. */
const secretSamples: Env = {
  DATABASE_URL: "postgres://mercato:secret@postgres.example:5432/postgres",
  REDIS_URL: "redis://redis.example:6379",
  MERCATO_OPS_TOKEN: "x".repeat(32),
  MERCATO_SECRET_KEY: Buffer.alloc(32, 7).toString("base64"),
};

/** Parses a service's environment the way its process would at start; throws what it would print. */
function parseAsService(service: string, env: Env) {
  const config = loadConfig(env);
  inboxRetentionMs(env);
  const settings = definitions.get(service)?.settings?.parse(env);
  return { config, settings };
}

/** The service and port an http URL names, checked against the service's own port. */
function expectServiceUrl(url: string, service: string, ports: Map<string, number>) {
  const parsed = new URL(url);
  expect(parsed.hostname, url).toBe(service);
  expect(Number(parsed.port), url).toBe(ports.get(service));
}

const promtool = await requireTool("promtool", "Debian's prometheus package has it");
// Optional: .ci/run does not install kubectl (Debian's kubernetes-client is 1.20, long out of
// support); the objects are checked without it, and kubectl kustomize only adds the rendering.
const kubectl = await run("kubectl", ["version", "--client"]).then(
  () => true,
  () => false,
);
if (!kubectl) console.warn("Skipping the kustomize render: kubectl is not installed (optional)");

/** The gateway forwards every routed service's paths to that service, at its port. */
function expectGatewayForwarding(env: Env, ports: Map<string, number>) {
  const settings = parseAsService("gateway", env).settings as GatewaySettings;
  const forwarded = [...(settings.serviceUrls ?? new Map()).entries()];
  expect(forwarded.map(([service]) => service).sort()).toEqual([...routedServices].sort());
  for (const [service, urls] of forwarded) {
    expect(urls, service).toHaveLength(1);
    for (const url of urls) expectServiceUrl(url, service, ports);
  }
}

// ---------------------------------------------------------------------------------------------
// Dockerfile

interface Stage {
  name: string;
  instructions: { keyword: string; args: string }[];
}

async function dockerfileStages(): Promise<{ args: Env; stages: Stage[] }> {
  const lines = (await read("deploy/Dockerfile"))
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const args: Env = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [keyword = "", ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    if (instruction.keyword === "FROM") {
      const [image = "", as, name] = rest;
      const resolved = image.replace(/\$\{(\w+)\}/g, (_, arg: string) => args[arg] ?? "");
      stages.push({
        name: as?.toUpperCase() === "AS" ? (name ?? "") : "",
        instructions: [{ keyword: "FROM", args: resolved }],
      });
    } else if (stages.length === 0 && instruction.keyword === "ARG") {
      const [name = "", value = ""] = instruction.args.split("=");
      args[name] = value;
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** The ENV of a stage, `A=1 B=2` on one instruction. */
function stageEnv(stage: Stage): Env {
  const env: Env = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== "ENV") continue;
    for (const [, name, value] of args.matchAll(/(\w+)=(\S+)/g)) env[name ?? ""] = value ?? "";
  }
  return env;
}

describe("deploy/Dockerfile", () => {
  it("builds in one stage and runs as a non-root user in another, the service chosen by MERCATO_SERVICE", async () => {
    const { stages } = await dockerfileStages();
    expect(stages.map((stage) => stage.name)).toEqual(["build", "runtime"]);
    for (const stage of stages) expect(stage.instructions[0]?.args).toBe("node:22-bookworm-slim");
    const [build, runtime] = stages as [Stage, Stage];
    const buildRuns = build.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
    expect(buildRuns.some((command) => /\bnpm ci\b/.test(command))).toBe(true);
    expect(buildRuns.some((command) => /npm prune --omit=dev/.test(command))).toBe(true);

    const of = (keyword: string) =>
      runtime.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
    expect(of("COPY").every((args) => args.startsWith("--from=build "))).toBe(true);
    const [user] = of("USER");
    expect(of("USER")).toHaveLength(1);
    expect(user?.split(":")[0]).not.toMatch(/^(root|0)$/);
    // Exec form, or Docker would quietly run the text through a shell: the arrays must be JSON.
    const healthCheck = JSON.parse(/\bCMD (\[.*\])$/.exec(of("HEALTHCHECK").join(" "))?.[1] ?? "null");
    expect(healthCheck.slice(0, 2)).toEqual(["node", "-e"]);
    expect(healthCheck[2]).toContain("/health/ready");
    const env = stageEnv(runtime);
    expect(of("EXPOSE")).toEqual([env.PORT]);
    expect(env.HOST).toBe("0.0.0.0");
    const [serviceArg] = of("ARG");
    expect(serviceNames).toContain(serviceArg?.split("=")[1]);
    // The build argument becomes the environment variable, which a container may override.
    expect(env.MERCATO_SERVICE).toMatch(/^\$\{MERCATO_SERVICE\}$/);
    const [entrypoint] = of("ENTRYPOINT").map((args) => JSON.parse(args) as string[]);
    expect(entrypoint?.slice(0, 2)).toEqual(["/bin/sh", "-c"]);
    expect(entrypoint?.[2]).toMatch(
      /^exec node .*apps\/cli\/bin\/mercato\.js start --service "\$MERCATO_SERVICE"$/,
    );
    // The image's defaults are a configuration every service starts with.
    for (const service of serviceNames)
      parseAsService(service, { ...env, ...secretSamples, MERCATO_SERVICE: service });
  });

  it("copies every service's migrations, which the bundle reads from their source folders", async () => {
    const { stages } = await dockerfileStages();
    const runs = stages[0]?.instructions.map((i) => i.args).join(" ") ?? "";
    expect(runs).toContain("cp -r --parents services/*/migrations /app/");
    for (const [name, definition] of definitions) {
      if (!definition.migrations) continue;
      expect(path.relative(root, fileURLToPath(definition.migrations)), name).toMatch(
        /^services\/[a-z]+\/migrations$/,
      );
    }
  });

  it("keeps local installs, builds and data out of the build context", async () => {
    const ignored = (await read(".dockerignore")).split("\n").filter((line) => line && !line.startsWith("#"));
    for (const entry of ["**/node_modules", "apps/cli/dist", "apps/web/dist", "data", ".git"]) {
      expect(ignored).toContain(entry);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// compose.yaml, Prometheus and Grafana

const infrastructure = ["postgres", "nats", "redis", "prometheus", "grafana"];

/** `${NAME:?message}` and `${NAME:-default}` as compose fills them, the operator's secrets sampled. */
function interpolate(value: string): string {
  return value.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
    const sample = secretSamples[name];
    if (sample !== undefined) return sample;
    if (kind === "-") return rest ?? "";
    throw new Error(`compose.yaml needs \${${name}} and the test has no sample for it`);
  });
}

async function composeServices(): Promise<Record<string, Doc>> {
  const compose = (await readYaml("deploy/compose.yaml")) as Doc;
  return compose.services;
}

/** A Mercato container's environment as it starts: the image's ENV, then compose's. */
async function composeEnv(service: Doc): Promise<{ set: string[]; env: Env }> {
  const { stages } = await dockerfileStages();
  const image = stageEnv(stages.at(-1) as Stage);
  const set = Object.keys(service.environment ?? {});
  const env: Env = { ...image };
  for (const [name, value] of Object.entries(service.environment ?? {}))
    env[name] = interpolate(String(value));
  return { set, env };
}

describe("deploy/compose.yaml", () => {
  it("runs every service of apps/cli/src/services.ts once, each by its name, next to the servers", async () => {
    const services = await composeServices();
    const mercato = Object.keys(services).filter((name) => !infrastructure.includes(name));
    expect(mercato.sort()).toEqual([...serviceNames].sort());
    for (const name of mercato) {
      expect(services[name].image, name).toBe("mercato:local");
      expect(services[name].build.dockerfile, name).toBe("deploy/Dockerfile");
      expect(services[name].environment.MERCATO_SERVICE, name).toBe(name);
    }
    expect(services.nats.command).toContain("-js");
    expect(services.postgres.image).toMatch(/^postgres:/);
    expect(services.redis.image).toMatch(/^redis:/);
  });

  it("sets only variables the code reads, with values each service's process accepts", async () => {
    const services = await composeServices();
    const { platform, byService } = await variablesRead();
    expect(platform).toContain("DATABASE_URL");
    expect(platform).toContain("HOST");
    expect(byService.get("orders")).toContain("MERCATO_CART_URL");
    const ports = new Map<string, number>();
    const envs = new Map<string, Env>();
    for (const name of serviceNames) {
      const { set, env } = await composeEnv(services[name]);
      const known = new Set([...platform, ...(byService.get(name) ?? []), "MERCATO_SERVICE"]);
      expect(
        set.filter((variable) => !known.has(variable)),
        name,
      ).toEqual([]);
      const { config } = parseAsService(name, env);
      ports.set(name, config.port);
      envs.set(name, env);
    }
    for (const [name, env] of envs) {
      expectServiceUrl(env.MERCATO_IDENTITY_URL ?? "", "identity", ports);
      if (name === "orders") expectServiceUrl(env.MERCATO_CART_URL ?? "", "cart", ports);
      expect(new URL(env.BUS_URL ?? "").hostname, name).toBe("nats");
      expect(new URL(env.DATABASE_URL ?? "").hostname, name).toBe("postgres");
    }
    expectGatewayForwarding(envs.get("gateway") ?? {}, ports);
    expect(new URL(envs.get("gateway")?.REDIS_URL ?? "").hostname).toBe("redis");
    // The gateway is the only published service, on 8080.
    for (const name of serviceNames) {
      const published = (services[name].ports ?? []) as string[];
      expect(published, name).toEqual(name === "gateway" ? [`8080:${ports.get("gateway")}`] : []);
    }
  });

  it("scrapes every service's /metrics at its port and loads the alert and recording rules", async () => {
    const services = await composeServices();
    const prometheus = (await readYaml("deploy/prometheus/prometheus.yml")) as Doc;
    expect(prometheus.rule_files).toEqual(["alerts.yml", "recording.yml"]);
    expect(services.prometheus.volumes).toContain("./prometheus:/etc/prometheus:ro");
    expect(services.prometheus.command).toContain("--config.file=/etc/prometheus/prometheus.yml");
    const [job] = prometheus.scrape_configs;
    expect(prometheus.scrape_configs).toHaveLength(1);
    expect(job.metrics_path).toBe("/metrics");
    const targets = job.static_configs.map((target: Doc) => ({
      service: target.labels.service,
      targets: target.targets,
    }));
    expect(targets.map((target: Doc) => target.service).sort()).toEqual([...serviceNames].sort());
    for (const target of targets) {
      const { env } = await composeEnv(services[target.service]);
      expect(target.targets).toEqual([`${target.service}:${env.PORT}`]);
    }
  });

  it("provisions Grafana's Prometheus datasource and the dashboard folder it mounts", async () => {
    const services = await composeServices();
    const datasources = (await readYaml("deploy/grafana/provisioning/datasources/prometheus.yaml")) as Doc;
    const providers = (await readYaml("deploy/grafana/provisioning/dashboards/mercato.yaml")) as Doc;
    const dashboard = JSON.parse(await read("deploy/grafana/dashboards/mercato.json"));
    expect(datasources.datasources).toHaveLength(1);
    const [datasource] = datasources.datasources;
    expect(datasource.type).toBe("prometheus");
    expect(new URL(datasource.url).hostname).toBe("prometheus");
    expect(services.grafana.volumes).toContain("./grafana/provisioning:/etc/grafana/provisioning:ro");
    expect(services.grafana.volumes).toContain(
      `./grafana/dashboards:${providers.providers[0].options.path}:ro`,
    );
    for (const panel of dashboard.panels.filter((p: Doc) => p.type !== "row")) {
      expect(panel.datasource.uid, panel.title).toBe(datasource.uid);
      for (const target of panel.targets) expect(target.datasource.uid, panel.title).toBe(datasource.uid);
    }
  });
});

describe("deploy/grafana/dashboards/mercato.json", () => {
  it("reads only metrics, services and routes the code defines, and shows checkout, queues, dead letters and errors", async () => {
    const dashboard = JSON.parse(await read("deploy/grafana/dashboards/mercato.json"));
    const defined = await metricsDefined();
    expect(defined).toContain("mercato_queue_depth");
    expect(defined).toContain("mercato_handler_duration_seconds_bucket");
    expect(defined).toContain("mercato_http_request_duration_seconds_count");
    const panels = dashboard.panels.filter((panel: Doc) => panel.type !== "row");
    const exprs: string[] = panels.flatMap((panel: Doc) => panel.targets.map((target: Doc) => target.expr));
    for (const expr of exprs) {
      for (const metric of metricNamesIn(expr)) expect(defined, expr).toContain(metric);
      for (const [, service] of expr.matchAll(/service="([^"]+)"/g))
        expect(serviceNames, expr).toContain(service);
      // A route label is the pattern the service registered: it is in that service's sources.
      const [, owner = ""] = /service="([^"]+)"/.exec(expr) ?? [];
      for (const [, route] of expr.matchAll(/route="([^"]+)"/g)) {
        expect(owner, expr).not.toBe("");
        const sources = await Promise.all(
          (await sourceFiles(`services/${owner}/src`)).map((file) => read(file)),
        );
        expect(
          sources.some((source) => source.includes(`"${route}"`)),
          expr,
        ).toBe(true);
      }
    }
    const titles = panels.map((panel: Doc) => panel.title);
    for (const title of [
      "Checkout rate",
      "Checkout latency",
      "Queue depth",
      "Oldest message age",
      "Dead-letter queue depth",
      "Handler error rate",
      "HTTP error rate",
    ]) {
      expect(titles).toContain(title);
    }
  });
});

describe("deploy/prometheus", () => {
  it("reads only metrics the code defines; consumers' queues are named after their service for the scaling rule", async () => {
    const defined = await metricsDefined();
    for (const file of ["alerts.yml", "recording.yml"]) {
      const rules = ((await readYaml(`deploy/prometheus/${file}`)) as Doc).groups.flatMap(
        (group: Doc) => group.rules,
      );
      for (const rule of rules)
        for (const metric of metricNamesIn(rule.expr)) expect(defined, rule.expr).toContain(metric);
    }
    const [scaling] = ((await readYaml("deploy/prometheus/recording.yml")) as Doc).groups[0].rules;
    expect(scaling.record).toBe("mercato_service_queue_depth");
    const pattern = /"queue", "([^"]+)"\)/.exec(scaling.expr)?.[1] ?? "";
    // RunningService names a queue `<service>-<subscription>`; webhooks' own are `webhooks-<id>`.
    for (const [name, definition] of definitions) {
      for (const subscription of definition.subscriptions ?? []) {
        expect(new RegExp(`^${pattern}$`).exec(`${name}-${subscription.name}`)?.[1], subscription.name).toBe(
          name,
        );
      }
    }
    expect(new RegExp(`^${pattern}$`).exec("webhooks-01JZ7Q3F2K9V8W6X5Y4Z3A2B1C")?.[1]).toBe("webhooks");
  });

  it.skipIf(!promtool)(
    "passes promtool: the rule files and the compose Prometheus configuration",
    async () => {
      const rules = await run("promtool", ["check", "rules", "alerts.yml", "recording.yml"], {
        cwd: path.join(deploy, "prometheus"),
      });
      expect(rules.stdout).toContain("SUCCESS: 4 rules found");
      const config = await run("promtool", ["check", "config", "prometheus.yml"], {
        cwd: path.join(deploy, "prometheus"),
      });
      expect(config.stdout).toContain("SUCCESS: 2 rule files found");
    },
  );
});

// ---------------------------------------------------------------------------------------------
// Kubernetes

/**
 * Every field name of the API groups the manifests use, from kubernetes-models' type declarations.
 * Its schemas accept unknown fields, so a misspelt one (`livenesProbe`) would pass them and be
 * dropped by the API server without a word; this catches it, if not its place.
 */
async function kubernetesFieldNames(): Promise<Set<string>> {
  const folders = [
    "node_modules/kubernetes-models/v1",
    "node_modules/kubernetes-models/apps/v1",
    "node_modules/kubernetes-models/policy/v1",
    "node_modules/kubernetes-models/autoscaling/v2",
    "node_modules/@kubernetes-models/apimachinery/apis/meta/v1",
  ];
  const names = new Set<string>();
  for (const folder of folders) {
    for (const file of await fs.readdir(path.join(root, folder))) {
      if (!file.endsWith(".d.ts")) continue;
      const declarations = await read(`${folder}/${file}`);
      for (const [, name] of declarations.matchAll(/^\s+"([A-Za-z0-9$_-]+)"\??:/gm)) names.add(name ?? "");
    }
  }
  return names;
}

/** Maps whose keys are the author's (labels, ConfigMap data, resource names, selectors). */
const freeFormMaps = new Set([
  "labels",
  "annotations",
  "data",
  "matchLabels",
  "requests",
  "limits",
  "selector",
]);

/** The paths of the fields no type of those groups declares. */
function unknownFields(value: unknown, known: Set<string>, at = ""): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => unknownFields(item, known, `${at}[${index}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const here = `${at}.${key}`;
    const own = known.has(key) ? [] : [here];
    // A Service's selector is a plain map; a label selector's matchLabels too, but not its matchExpressions.
    const freeForm =
      freeFormMaps.has(key) &&
      !(
        key === "selector" &&
        child &&
        typeof child === "object" &&
        ("matchLabels" in child || "matchExpressions" in child)
      );
    return [...own, ...(freeForm ? [] : unknownFields(child, known, here))];
  });
}

const kinds: Record<string, new (data: Doc) => { validate(): void }> = {
  "v1/Namespace": Namespace,
  "v1/ConfigMap": ConfigMap,
  "v1/Service": Service,
  "v1/PersistentVolumeClaim": PersistentVolumeClaim,
  "apps/v1/Deployment": Deployment,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
};

async function kubernetesObjects(): Promise<Doc[]> {
  const kustomization = (await readYaml("deploy/kubernetes/kustomization.yaml")) as Doc;
  const objects: Doc[] = [];
  for (const resource of kustomization.resources as string[]) {
    const documents = parseAllDocuments(await read(`deploy/kubernetes/${resource}`));
    for (const document of documents) {
      expect(document.errors, resource).toEqual([]);
      objects.push({ ...document.toJS(), file: resource });
    }
  }
  return objects;
}

const byKind = (objects: Doc[], kind: string) =>
  new Map<string, Doc>(objects.filter((o) => o.kind === kind).map((o) => [o.metadata.name, o]));

const isConsumerScaledOnQueues = (name: string) =>
  // The gateway's only queue drops its cache: it scales on requests, like identity (no queue).
  name !== "gateway" && ((definitions.get(name)?.subscriptions?.length ?? 0) > 0 || name === "webhooks");

describe("deploy/kubernetes", () => {
  it("lists every manifest in kustomization.yaml, and each object passes the Kubernetes schema", async () => {
    const fields = await kubernetesFieldNames();
    const kustomization = (await readYaml("deploy/kubernetes/kustomization.yaml")) as Doc;
    const files = (await fs.readdir(path.join(deploy, "kubernetes"), { recursive: true }))
      .filter(
        (file) =>
          file.endsWith(".yaml") &&
          file !== "kustomization.yaml" &&
          file !== "prometheus-adapter-values.yaml",
      )
      .sort();
    expect([...kustomization.resources].sort()).toEqual(files);
    expect(kustomization.images.map((image: Doc) => image.name)).toEqual(["mercato"]);
    for (const object of await kubernetesObjects()) {
      const { file, ...manifest } = object;
      const Model = kinds[`${manifest.apiVersion}/${manifest.kind}`];
      expect(Model, `${file}: ${manifest.apiVersion} ${manifest.kind}`).toBeDefined();
      if (Model)
        expect(
          () => new Model(manifest).validate(),
          `${file}: ${manifest.kind} ${manifest.metadata?.name}`,
        ).not.toThrow();
      expect(unknownFields(manifest, fields), `${file}: ${manifest.kind} ${manifest.metadata?.name}`).toEqual(
        [],
      );
    }
  });

  it("runs each service as a Deployment with probes, resources, a Service, a disruption budget and an autoscaler", async () => {
    const objects = await kubernetesObjects();
    const deployments = byKind(objects, "Deployment");
    const services = byKind(objects, "Service");
    const budgets = byKind(objects, "PodDisruptionBudget");
    const autoscalers = byKind(objects, "HorizontalPodAutoscaler");
    for (const map of [deployments, services, budgets, autoscalers])
      expect([...map.keys()].sort()).toEqual([...serviceNames].sort());

    for (const name of serviceNames) {
      const deployment = deployments.get(name);
      expect(deployment.file, name).toBe(`services/${name}.yaml`);
      const labels = deployment.spec.template.metadata.labels;
      expect(deployment.spec.selector.matchLabels, name).toEqual({ "app.kubernetes.io/name": name });
      expect(labels["app.kubernetes.io/name"], name).toBe(name);
      expect(deployment.spec.template.spec.securityContext.runAsNonRoot, name).toBe(true);
      const [container] = deployment.spec.template.spec.containers;
      expect(deployment.spec.template.spec.containers, name).toHaveLength(1);
      expect(container.image, name).toBe("mercato");
      const env = new Map<string, Doc>(container.env.map((variable: Doc) => [variable.name, variable]));
      expect(env.get("MERCATO_SERVICE")?.value, name).toBe(name);
      const port = Number(env.get("PORT")?.value);
      const http = container.ports.find((p: Doc) => p.name === "http");
      expect(http.containerPort, name).toBe(port);
      expect(Number(deployment.spec.template.metadata.annotations["prometheus.io/port"]), name).toBe(port);
      expect(container.livenessProbe.httpGet, name).toEqual({ path: "/health/live", port: "http" });
      expect(container.readinessProbe.httpGet, name).toEqual({ path: "/health/ready", port: "http" });
      for (const side of ["requests", "limits"]) {
        expect(Object.keys(container.resources[side]).sort(), `${name} ${side}`).toEqual(["cpu", "memory"]);
      }

      const service = services.get(name);
      expect(service.spec.selector, name).toEqual({ "app.kubernetes.io/name": name });
      expect(service.spec.ports, name).toEqual([{ name: "http", port, targetPort: "http" }]);
      const budget = budgets.get(name);
      expect(budget.spec.selector.matchLabels, name).toEqual({ "app.kubernetes.io/name": name });
      expect(budget.spec.minAvailable, name).toBeLessThan(autoscalers.get(name).spec.minReplicas);

      const autoscaler = autoscalers.get(name);
      expect(autoscaler.spec.scaleTargetRef, name).toEqual({
        apiVersion: "apps/v1",
        kind: "Deployment",
        name,
      });
      const external = autoscaler.spec.metrics.filter((metric: Doc) => metric.type === "External");
      if (isConsumerScaledOnQueues(name)) {
        expect(
          external.map((metric: Doc) => metric.external.metric),
          name,
        ).toEqual([{ name: "mercato_service_queue_depth", selector: { matchLabels: { service: name } } }]);
      } else {
        expect(external, name).toEqual([]);
      }
    }
  });

  it("sets only variables the code reads, from the ConfigMap or the secret, with values each process accepts", async () => {
    const objects = await kubernetesObjects();
    const config: Env = byKind(objects, "ConfigMap").get("mercato-config").data;
    const { platform, byService } = await variablesRead();
    const ports = new Map<string, number>();
    const envs = new Map<string, Env>();
    for (const [name, deployment] of byKind(objects, "Deployment")) {
      const known = new Set([...platform, ...(byService.get(name) ?? []), "MERCATO_SERVICE"]);
      const env: Env = {};
      for (const variable of deployment.spec.template.spec.containers[0].env as Doc[]) {
        expect(known, `${name} sets ${variable.name}`).toContain(variable.name);
        const fromConfig = variable.valueFrom?.configMapKeyRef;
        const fromSecret = variable.valueFrom?.secretKeyRef;
        if (fromConfig) {
          expect(fromConfig.name, variable.name).toBe("mercato-config");
          expect(Object.keys(config), `${name}: ${variable.name}`).toContain(fromConfig.key);
          env[variable.name] = config[fromConfig.key] ?? "";
        } else if (fromSecret) {
          expect(fromSecret.name, variable.name).toBe("mercato-secrets");
          expect(fromSecret.key, variable.name).toBe(variable.name);
          if (!fromSecret.optional) env[variable.name] = secretSamples[variable.name] ?? "";
        } else {
          env[variable.name] = variable.value;
        }
      }
      for (const required of [
        "DATABASE_URL",
        "BUS_URL",
        "MERCATO_OPS_TOKEN",
        "MERCATO_SECRET_KEY",
        "MERCATO_IDENTITY_URL",
      ]) {
        expect(Object.keys(env), name).toContain(required);
      }
      const { stages } = await dockerfileStages();
      ports.set(name, parseAsService(name, { ...stageEnv(stages.at(-1) as Stage), ...env }).config.port);
      envs.set(name, env);
    }
    // Services reach one another through their Services, at the Service port.
    const servicePorts = new Map<string, number>(
      [...byKind(objects, "Service")].map(([name, s]) => [name, s.spec.ports[0].port]),
    );
    expect(servicePorts).toEqual(ports);
    expectServiceUrl(config.MERCATO_IDENTITY_URL ?? "", "identity", servicePorts);
    expectServiceUrl(config.MERCATO_CART_URL ?? "", "cart", servicePorts);
    expectGatewayForwarding(envs.get("gateway") ?? {}, servicePorts);
  });

  it("gives prometheus-adapter the metric the autoscalers read, as the recording rule names it", async () => {
    const values = (await readYaml("deploy/kubernetes/prometheus-adapter-values.yaml")) as Doc;
    const [rule] = values.rules.external;
    expect(values.rules.external).toHaveLength(1);
    expect(rule.seriesQuery).toContain("mercato_service_queue_depth");
    expect(rule.name.as).toBe("mercato_service_queue_depth");
    expect(rule.metricsQuery).toContain("<<.LabelMatchers>>");
  });

  it.skipIf(!kubectl)(
    "renders with kubectl kustomize: every object in the mercato namespace, on the pinned image",
    async () => {
      const { stdout } = await run("kubectl", ["kustomize", path.join(deploy, "kubernetes")], {
        maxBuffer: 16 * 1024 * 1024,
      });
      const rendered = parseAllDocuments(stdout).map((document) => document.toJS());
      expect(rendered).toHaveLength((await kubernetesObjects()).length);
      for (const object of rendered) {
        if (object.kind !== "Namespace")
          expect(object.metadata.namespace, object.metadata.name).toBe("mercato");
        if (object.kind === "Deployment") {
          expect(object.spec.template.spec.containers[0].image).toBe("registry.example.com/mercato:0.1.0");
        }
      }
    },
  );
});
