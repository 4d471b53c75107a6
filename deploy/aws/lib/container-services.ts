import {
  aws_certificatemanager as acm,
  aws_applicationautoscaling as appscaling,
  aws_cloudwatch as cloudwatch,
  Duration,
  aws_ec2 as ec2,
  aws_ecs as ecs,
  aws_elasticloadbalancingv2 as elbv2,
  aws_logs as logs,
  RemovalPolicy,
} from "aws-cdk-lib";
import { Construct } from "constructs";
import type { HttpMetrics } from "./monitoring.ts";
import type { Network } from "./network.ts";
import { servicePort } from "./network.ts";
import type { SecretVariable } from "./service-environment.ts";
import type { ServicePlan } from "./service-plan.ts";
import type { ServiceQueue } from "./service-queues.ts";

/** One service to run as containers. */
export interface ContainerServiceSpec {
  plan: ServicePlan;
  queues: ServiceQueue[];
  environment: Record<string, string>;
  secrets: Record<string, SecretVariable>;
}

export interface ContainerServicesProps {
  network: Network;
  image: ecs.ContainerImage;
  /** The services, given the shop's address (the load balancer's unless set). */
  services(publicUrl: string): ContainerServiceSpec[];
  publicUrl?: string;
  certificateArn?: string;
  /** Gives a service's task role what the service needs. */
  grant(plan: ServicePlan, role: ecs.TaskDefinition["taskRole"], queues: ServiceQueue[]): void;
}

/** The private DNS namespace the services find each other in: `http://<service>.mercato.internal:8080`. */
const namespace = "mercato.internal";
/** Messages waiting per task that make a consumer service add tasks. */
const depthPerTask = 100;
const maxTasks = 10;

/** The address of a service inside the VPC. */
export function internalUrl(service: string): string {
  return `http://${service}.${namespace}:${servicePort}`;
}

/**
 * The services as ECS Fargate services, one task definition each from the one image, the service
 * chosen by MERCATO_SERVICE as in deploy/Dockerfile. The gateway stands behind an internet-facing
 * Application Load Balancer and scales on CPU and requests; the consumers scale on the messages
 * waiting in their queues; the others on CPU. Each task's role is its service's alone.
 */
export class ContainerServices extends Construct {
  readonly cluster: ecs.Cluster;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly services = new Map<string, ecs.FargateService>();
  readonly logGroups = new Map<string, logs.LogGroup>();

  constructor(scope: Construct, id: string, props: ContainerServicesProps) {
    super(scope, id);
    const { network } = props;
    this.cluster = new ecs.Cluster(this, "Cluster", {
      vpc: network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      defaultCloudMapNamespace: { name: namespace, vpc: network.vpc },
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, "LoadBalancer", {
      vpc: network.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    });

    const scheme = props.certificateArn ? "https" : "http";
    this.url = props.publicUrl ?? `${scheme}://${this.loadBalancer.loadBalancerDnsName}`;
    for (const spec of props.services(this.url)) {
      const { service, scaling } = this.addService(spec, props);
      if (spec.plan.name === "gateway") this.exposeGateway(service, scaling, props.certificateArn);
    }
  }

  /** The shop's address: the gateway's through the load balancer, unless one was given. */
  readonly url: string;

  /** The load balancer's requests and 5xx answers, its own and the gateway's. */
  get httpMetrics(): HttpMetrics {
    const metrics = this.loadBalancer.metrics;
    const options = { period: Duration.minutes(5), statistic: "Sum" };
    return {
      requests: metrics.requestCount(options),
      serverErrors: [
        metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, options),
        metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, options),
      ],
    };
  }

  logGroupOf(service: string): logs.LogGroup {
    const logGroup = this.logGroups.get(service);
    if (!logGroup) throw new Error(`No container service named ${service}`);
    return logGroup;
  }

  /** CPU and running tasks of every service. */
  widgets(): cloudwatch.IWidget[] {
    const services = [...this.services.entries()];
    return [
      new cloudwatch.GraphWidget({
        title: "CPU % by service",
        left: services.map(([name, service]) => service.metricCpuUtilization({ label: name })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: "Running tasks by service",
        left: services.map(
          ([name, service]) =>
            new cloudwatch.Metric({
              namespace: "ECS/ContainerInsights",
              metricName: "RunningTaskCount",
              dimensionsMap: { ClusterName: this.cluster.clusterName, ServiceName: service.serviceName },
              statistic: "Average",
              label: name,
            }),
        ),
        width: 12,
      }),
    ];
  }

  private addService(
    spec: ContainerServiceSpec,
    props: ContainerServicesProps,
  ): { service: ecs.FargateService; scaling: ecs.ScalableTaskCount } {
    const { name } = spec.plan;
    const scope = new Construct(this, name);
    const logGroup = new logs.LogGroup(scope, "Logs", {
      logGroupName: `/mercato/${name}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.logGroups.set(name, logGroup);
    const task = new ecs.FargateTaskDefinition(scope, "Task", {
      cpu: 512,
      memoryLimitMiB: 1024,
      runtimePlatform: {
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
      },
    });
    task.addContainer("app", {
      image: props.image,
      environment: { MERCATO_SERVICE: name, ...spec.environment },
      secrets: Object.fromEntries(
        Object.entries(spec.secrets).map(([variable, { secret, field }]) => [
          variable,
          ecs.Secret.fromSecretsManager(secret, field),
        ]),
      ),
      portMappings: [{ containerPort: servicePort, name: "http" }],
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: name }),
      // The image's HEALTHCHECK, which ECS does not read from the image.
      healthCheck: {
        command: [
          "CMD",
          "node",
          "-e",
          "fetch('http://127.0.0.1:' + process.env.PORT + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))",
        ],
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        startPeriod: Duration.seconds(60),
        retries: 3,
      },
      // SIGTERM drains requests, consumers and the outbox before the process exits.
      stopTimeout: Duration.seconds(60),
    });
    props.grant(spec.plan, task.taskRole, spec.queues);

    const service = new ecs.FargateService(scope, "Service", {
      cluster: this.cluster,
      taskDefinition: task,
      desiredCount: 1,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      securityGroups: [props.network.services],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      cloudMapOptions: { name, dnsTtl: Duration.seconds(10) },
      // `mercato dlq`, `redrive` and `purge` run inside a task (docs/operations.md).
      enableExecuteCommand: true,
    });
    this.services.set(name, service);
    const scaling = service.autoScaleTaskCount({ minCapacity: 1, maxCapacity: maxTasks });
    scaling.scaleOnCpuUtilization("Cpu", { targetUtilizationPercent: 60 });
    if (spec.queues.length > 0) this.scaleOnQueueDepth(scaling, spec);
    return { service, scaling };
  }

  private scaleOnQueueDepth(scaling: ecs.ScalableTaskCount, spec: ContainerServiceSpec): void {
    // The messages waiting in all of the service's queues (docs/operations.md, "Scaling consumers").
    const usingMetrics = Object.fromEntries(
      spec.queues.map((queue, index) => [
        `q${index}`,
        queue.queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: "Maximum",
        }),
      ]),
    );
    const depth = new cloudwatch.MathExpression({
      label: `${spec.plan.name} messages waiting`,
      expression: Object.keys(usingMetrics).join(" + "),
      usingMetrics,
      period: Duration.minutes(1),
    });
    scaling.scaleOnMetric("QueueDepth", {
      metric: depth,
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 0, change: -1 },
        { lower: depthPerTask, change: +1 },
        { lower: depthPerTask * 10, change: +3 },
      ],
      cooldown: Duration.minutes(2),
    });
  }

  private exposeGateway(
    service: ecs.FargateService,
    scaling: ecs.ScalableTaskCount,
    certificateArn: string | undefined,
  ): void {
    const listener = certificateArn
      ? this.loadBalancer.addListener("Https", {
          port: 443,
          certificates: [acm.Certificate.fromCertificateArn(this, "Certificate", certificateArn)],
          sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        })
      : this.loadBalancer.addListener("Http", { port: 80 });
    if (certificateArn) this.loadBalancer.addRedirect();
    const target = listener.addTargets("Gateway", {
      port: servicePort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [service],
      healthCheck: { path: "/health/ready", healthyHttpCodes: "200", interval: Duration.seconds(15) },
      deregistrationDelay: Duration.seconds(30),
    });
    scaling.scaleOnRequestCount("Requests", { requestsPerTarget: 1000, targetGroup: target });
  }
}
