import { CfnOutput, aws_events as events, Stack, type StackProps, Tags } from "aws-cdk-lib";
import { Construct } from "constructs";
import { AppSecrets } from "./app-secrets.ts";
import { containerImage } from "./container-image.ts";
import { ContainerServices, internalUrl } from "./container-services.ts";
import { Database } from "./database.ts";
import { FunctionServices } from "./function-services.ts";
import { MediaBucket } from "./media-bucket.ts";
import { Monitoring } from "./monitoring.ts";
import { Network } from "./network.ts";
import { grantServiceAccess } from "./service-access.ts";
import { type EnvironmentSources, plainEnvironment, secretVariables } from "./service-environment.ts";
import { type ServicePlan, servicePlans } from "./service-plan.ts";
import { ServiceQueue } from "./service-queues.ts";
import type { DeploymentSettings } from "./settings.ts";

export interface MercatoStackProps extends StackProps {
  settings: DeploymentSettings;
}

/** Connections per service process (MERCATO_DATABASE_POOL_SIZE), as `mercato start --distributed`. */
const containerPoolSize = 5;

/**
 * Mercato on AWS: the event bus, each service's queues, DLQs and rules from its definition, the
 * database, the media bucket, the secrets, the services as containers or functions, and the
 * alarms and dashboard. Environment-agnostic (the account and region are the deployer's), so that
 * `cdk synth` needs no AWS access.
 */
export class MercatoStack extends Stack {
  readonly plans: ServicePlan[];
  readonly queues = new Map<string, ServiceQueue[]>();
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: MercatoStackProps) {
    super(scope, id, props);
    const { settings } = props;
    Tags.of(this).add("mercato:prefix", settings.prefix);
    this.plans = servicePlans(settings.prefix);

    const network = new Network(this, "Network");
    const database = new Database(this, "Database", network);
    const secrets = new AppSecrets(this, "Secrets");
    const media = new MediaBucket(this, "Media");
    const bus = new events.EventBus(this, "Bus", { eventBusName: settings.prefix });
    const routing = new Construct(this, "Queues");
    for (const plan of this.plans) {
      this.queues.set(
        plan.name,
        plan.queues.map(
          (planned) =>
            new ServiceQueue(routing, planned.queue.name, planned, { bus, prefix: settings.prefix }),
        ),
      );
    }
    const allQueues = [...this.queues.values()].flat();
    const shared = { bus, prefix: settings.prefix, media, queues: allQueues };
    const sources = (publicUrl: string): EnvironmentSources => ({
      settings,
      busName: bus.eventBusName,
      database,
      media,
      secrets,
      publicUrl,
    });

    if (settings.compute === "containers") {
      const containers = new ContainerServices(this, "Containers", {
        network,
        image: containerImage(this, settings.image),
        certificateArn: settings.certificateArn,
        grant: (plan, role, queues) => grantServiceAccess(this, role, plan, queues, shared),
        publicUrl: settings.publicUrl,
        services: (publicUrl) =>
          this.plans.map((plan) => ({
            plan,
            queues: this.queues.get(plan.name) ?? [],
            environment: {
              ...plainEnvironment(plan, sources(publicUrl), containerPoolSize),
              ...this.addresses(plan),
            },
            secrets: secretVariables(plan, sources(publicUrl)),
          })),
      });
      this.monitoring = new Monitoring(this, "Monitoring", {
        prefix: settings.prefix,
        queues: allQueues,
        http: containers.httpMetrics,
        checkoutLogs: { requests: containers.logGroupOf("orders"), sweep: containers.logGroupOf("orders") },
        queueAgeSeconds: settings.queueAgeSeconds,
        alarmEmail: settings.alarmEmail,
        computeWidgets: containers.widgets(),
      });
      new CfnOutput(this, "ShopUrl", { value: containers.url });
    } else {
      const functions = new FunctionServices(this, "Functions", {
        network,
        plans: this.plans,
        queues: this.queues,
        sources,
        publicUrl: settings.publicUrl,
        grant: (plan, role, queues) => grantServiceAccess(this, role, plan, queues, shared),
      });
      this.monitoring = new Monitoring(this, "Monitoring", {
        prefix: settings.prefix,
        queues: allQueues,
        http: functions.httpMetrics,
        checkoutLogs: { requests: functions.httpLogs, sweep: functions.taskLogsOf("orders") },
        queueAgeSeconds: settings.queueAgeSeconds,
        alarmEmail: settings.alarmEmail,
        computeWidgets: functions.widgets(),
      });
      new CfnOutput(this, "ShopUrl", { value: functions.url });
    }

    new CfnOutput(this, "BusUrl", { value: `aws://${this.region}/${bus.eventBusName}` });
    new CfnOutput(this, "MediaBucket", { value: media.bucket.bucketName });
    new CfnOutput(this, "DatabaseSecret", { value: database.secret.secretArn });
    new CfnOutput(this, "OpsTokenSecret", { value: secrets.opsToken.secretArn });
    new CfnOutput(this, "AdminPasswordSecret", { value: secrets.adminPassword.secretArn });
    new CfnOutput(this, "AlarmTopic", { value: this.monitoring.topic.topicArn });
  }

  /**
   * Where a service finds the others inside the VPC (the names `mercato start --distributed` and
   * deploy/kubernetes set): identity's keys, cart's snapshot for orders, and for the gateway every
   * service's routes and operations API.
   */
  private addresses(plan: ServicePlan): Record<string, string> {
    const addresses: Record<string, string> = {};
    if (plan.name !== "identity") addresses.MERCATO_IDENTITY_URL = internalUrl("identity");
    if (plan.name === "orders") addresses.MERCATO_CART_URL = internalUrl("cart");
    if (plan.name === "gateway") {
      const others = this.plans.filter((other) => other.name !== "gateway");
      addresses.MERCATO_SERVICE_URLS = others
        .filter((other) => other.routed)
        .map((other) => `${other.name}=${internalUrl(other.name)}`)
        .join(",");
      addresses.MERCATO_PEER_URLS = others.map((other) => internalUrl(other.name)).join(",");
    }
    return addresses;
  }
}
