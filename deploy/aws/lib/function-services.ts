import fs from "node:fs";
import path from "node:path";
import {
  aws_apigatewayv2 as apigateway,
  aws_cloudwatch as cloudwatch,
  Duration,
  aws_ec2 as ec2,
  aws_lambda_event_sources as eventSources,
  aws_events as events,
  aws_apigatewayv2_integrations as integrations,
  aws_lambda as lambda,
  aws_logs as logs,
  RemovalPolicy,
  aws_events_targets as targets,
} from "aws-cdk-lib";
import { Construct } from "constructs";
import { repositoryRoot } from "./container-image.ts";
import type { HttpMetrics } from "./monitoring.ts";
import type { Network } from "./network.ts";
import type { EnvironmentSources, SecretVariable } from "./service-environment.ts";
import { plainEnvironment, secretVariables } from "./service-environment.ts";
import type { ServicePlan } from "./service-plan.ts";
import type { ServiceQueue } from "./service-queues.ts";

/**
 * The Lambda entry points (apps/cli/src/lambda) as `npm run build` bundles them, and the handler
 * each kind of function names.
 */
export const lambdaBundle = "apps/cli/dist/lambda";
export const lambdaHandlers = {
  http: "http-handler.handler",
  sqs: "sqs-handler.handler",
  scheduled: "scheduled-handler.handler",
} as const;

/** How often the functions run their services' periodic tasks and publish what outboxes hold. */
const taskSchedule = Duration.minutes(1);

/** MERCATO_DATABASE_POOL_SIZE of a function container: it handles one invocation at a time. */
const functionPoolSize = 2;
/** SQS records per invocation, and invocations at once per queue (each holds database connections). */
const batchSize = 10;
const maxConcurrencyPerQueue = 5;

export interface FunctionServicesProps {
  network: Network;
  plans: ServicePlan[];
  queues: Map<string, ServiceQueue[]>;
  sources(publicUrl: string): EnvironmentSources;
  publicUrl?: string;
  grant(plan: ServicePlan, role: lambda.IFunction, queues: ServiceQueue[]): void;
}

/**
 * The serverless variant: one function serves HTTP through an API Gateway HTTP API, every service
 * in it behind the gateway, as `mercato start` runs them in one process; and each service that
 * consumes queues has a function fed by SQS event source mappings, reporting the records that
 * failed (ReportBatchItemFailures) so that SQS retries those alone and dead-letters them after
 * maxReceiveCount; a function's timeout is at most its queues' shortest visibility timeout, as
 * Lambda requires. A function has no timers, so each service also has one invoked every minute
 * that runs its periodic tasks once and publishes its outbox.
 */
export class FunctionServices extends Construct {
  readonly api: apigateway.HttpApi;
  readonly http: lambda.Function;
  readonly httpLogs: logs.LogGroup;
  readonly consumers = new Map<string, lambda.Function>();
  readonly schedulers = new Map<string, lambda.Function>();
  readonly #taskLogs = new Map<string, logs.LogGroup>();
  readonly url: string;

  constructor(scope: Construct, id: string, props: FunctionServicesProps) {
    super(scope, id);
    const code = bundleCode();
    this.api = new apigateway.HttpApi(this, "Api", {
      description: "Mercato: every request to the gateway function",
    });
    this.url = props.publicUrl ?? this.api.apiEndpoint;
    const sources = props.sources(this.url);

    // The HTTP function runs every service, so it needs what each of them needs.
    this.httpLogs = this.logGroup("http");
    this.http = this.function("Http", {
      code,
      handler: lambdaHandlers.http,
      logGroup: this.httpLogs,
      network: props.network,
      timeout: Duration.seconds(30),
      environment: mergedEnvironment(props.plans, sources),
    });
    for (const plan of props.plans) props.grant(plan, this.http, props.queues.get(plan.name) ?? []);
    this.api.addRoutes({
      path: "/{proxy+}",
      methods: [apigateway.HttpMethod.ANY],
      integration: new integrations.HttpLambdaIntegration("Gateway", this.http),
    });
    this.api.addRoutes({
      path: "/",
      methods: [apigateway.HttpMethod.ANY],
      integration: new integrations.HttpLambdaIntegration("GatewayRoot", this.http),
    });

    for (const plan of props.plans) {
      const queues = props.queues.get(plan.name) ?? [];
      const environment = { ...serviceEnvironment(plan, sources), MERCATO_SERVICES: plan.name };
      const taskLogs = this.logGroup(`${plan.name}-tasks`);
      this.#taskLogs.set(plan.name, taskLogs);
      const scheduler = this.function(`${plan.name}Tasks`, {
        code,
        handler: lambdaHandlers.scheduled,
        logGroup: taskLogs,
        network: props.network,
        timeout: Duration.seconds(60),
        environment,
      });
      props.grant(plan, scheduler, queues);
      new events.Rule(this, `${plan.name}Schedule`, {
        description: `Mercato ${plan.name}: periodic tasks and outbox`,
        schedule: events.Schedule.rate(taskSchedule),
        targets: [new targets.LambdaFunction(scheduler, { retryAttempts: 0 })],
      });
      this.schedulers.set(plan.name, scheduler);
      if (queues.length === 0) continue;
      const shortest = Math.min(...queues.map((queue) => queue.planned.queue.visibilityTimeoutMs));
      const consumer = this.function(`${plan.name}Consumer`, {
        code,
        handler: lambdaHandlers.sqs,
        logGroup: this.logGroup(`${plan.name}-consumer`),
        network: props.network,
        timeout: Duration.seconds(Math.max(1, Math.floor(shortest / 1000))),
        environment,
      });
      props.grant(plan, consumer, queues);
      for (const queue of queues) {
        consumer.addEventSource(
          new eventSources.SqsEventSource(queue.queue, {
            batchSize,
            reportBatchItemFailures: true,
            maxConcurrency: maxConcurrencyPerQueue,
          }),
        );
      }
      this.consumers.set(plan.name, consumer);
    }
  }

  /** The log group of a service's periodic tasks. */
  taskLogsOf(service: string): logs.LogGroup {
    const logGroup = this.#taskLogs.get(service);
    if (!logGroup) throw new Error(`No task function for a service named ${service}`);
    return logGroup;
  }

  /** The HTTP API's requests and 5xx answers. */
  get httpMetrics(): HttpMetrics {
    const options = { period: Duration.minutes(5), statistic: "Sum" };
    return { requests: this.api.metricCount(options), serverErrors: [this.api.metricServerError(options)] };
  }

  /** Invocations, errors and throttles of every function. */
  widgets(): cloudwatch.IWidget[] {
    const functions: [string, lambda.Function][] = [
      ["http", this.http],
      ...[...this.consumers].map(([name, fn]): [string, lambda.Function] => [`${name} consumer`, fn]),
      ...[...this.schedulers].map(([name, fn]): [string, lambda.Function] => [`${name} tasks`, fn]),
    ];
    const graph = (title: string, metricOf: (fn: lambda.Function, label: string) => cloudwatch.IMetric) =>
      new cloudwatch.GraphWidget({
        title,
        left: functions.map(([name, fn]) => metricOf(fn, name)),
        width: 8,
      });
    return [
      graph("Invocations", (fn, label) => fn.metricInvocations({ label })),
      graph("Errors", (fn, label) => fn.metricErrors({ label })),
      graph("Throttles", (fn, label) => fn.metricThrottles({ label })),
    ];
  }

  private logGroup(name: string): logs.LogGroup {
    return new logs.LogGroup(this, `${name}Logs`, {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  private function(
    id: string,
    options: {
      code: lambda.Code;
      handler: string;
      logGroup: logs.LogGroup;
      network: Network;
      timeout: Duration;
      environment: Record<string, string>;
    },
  ): lambda.Function {
    return new lambda.Function(this, id, {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.X86_64,
      code: options.code,
      handler: options.handler,
      memorySize: 1024,
      timeout: options.timeout,
      logGroup: options.logGroup,
      vpc: options.network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [options.network.services],
      environment: { NODE_OPTIONS: "--enable-source-maps", ...options.environment },
    });
  }
}

/**
 * The folder `npm run build` writes (scripts/build-lambda.mjs), self-contained; synthesis fails
 * with what to do when a handler is missing from it.
 */
function bundleCode(): lambda.Code {
  const directory = path.join(repositoryRoot, lambdaBundle);
  const missing = Object.values(lambdaHandlers)
    .map((handler) => `${handler.slice(0, handler.lastIndexOf("."))}.js`)
    .filter((file) => !fs.existsSync(path.join(directory, file)));
  if (missing.length > 0) {
    throw new Error(
      `The Lambda variant deploys ${lambdaBundle}, which lacks ${missing.join(", ")}: run \`npm run build\` first (or deploy with -c mercato:compute=containers)`,
    );
  }
  return lambda.Code.fromAsset(directory);
}

/**
 * A function's variables: the plain ones, and the secret ones as CloudFormation dynamic references
 * to Secrets Manager, resolved when the function is deployed (a function has no equivalent of a
 * task's injected secrets; the values are then in its configuration, encrypted at rest).
 */
function serviceEnvironment(plan: ServicePlan, sources: EnvironmentSources): Record<string, string> {
  return {
    ...plainEnvironment(plan, sources, functionPoolSize),
    ...resolved(secretVariables(plan, sources)),
  };
}

/** The variables of a function that runs every service: each one's, together. */
function mergedEnvironment(plans: ServicePlan[], sources: EnvironmentSources): Record<string, string> {
  return Object.assign({}, ...plans.map((plan) => serviceEnvironment(plan, sources)));
}

function resolved(variables: Record<string, SecretVariable>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([name, { secret, field }]) => [
      name,
      (field ? secret.secretValueFromJson(field) : secret.secretValue).unsafeUnwrap(),
    ]),
  );
}
