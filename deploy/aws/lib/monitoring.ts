import {
  aws_cloudwatch_actions as actions,
  aws_cloudwatch as cloudwatch,
  Duration,
  aws_logs as logs,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
} from "aws-cdk-lib";
import { Construct } from "constructs";
import type { ServiceQueue } from "./service-queues.ts";

/** The HTTP front's counts: the load balancer's or the HTTP API's. */
export interface HttpMetrics {
  requests: cloudwatch.IMetric;
  /** Answers 500-599, whoever gave them (the front itself or the gateway). */
  serverErrors: cloudwatch.IMetric[];
}

export interface MonitoringProps {
  prefix: string;
  queues: ServiceQueue[];
  http: HttpMetrics;
  /**
   * Where orders logs: its requests (POST /api/orders) and its payment timeout sweep, one log
   * group for a container, the HTTP function's and orders' task function's for functions.
   */
  checkoutLogs: { requests: logs.ILogGroup; sweep: logs.ILogGroup };
  queueAgeSeconds: number;
  alarmEmail?: string;
  /** Graphs the compute shows of itself (CPU and tasks, or invocations and errors). */
  computeWidgets: cloudwatch.IWidget[];
}

/** Share of HTTP answers that are 5xx, in percent over five minutes, above which the alarm fires. */
const serverErrorPercent = 5;
const fiveMinutes = Duration.minutes(5);
const oneMinute = Duration.minutes(1);

/**
 * The CloudWatch side of docs/operations.md's alerts: every DLQ not empty and every queue's oldest
 * message too old (DeadLetterQueueNotEmpty and QueueMessageTooOld, from SQS's own metrics), the
 * gateway's 5xx rate, and failed checkouts, counted from the services' request log lines by
 * metric filters. Every alarm notifies one SNS topic; the dashboard shows the same signals.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly checkoutFailures: cloudwatch.Metric;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, "Alarms", { displayName: `Mercato ${props.prefix} alarms` });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    for (const queue of props.queues) this.watchQueue(queue, props);
    const serverErrorRate = this.watchServerErrors(props);
    this.checkoutFailures = this.watchCheckouts(props);
    this.dashboard = this.buildDashboard(props, serverErrorRate);
  }

  private alarm(scope: Construct, id: string, props: cloudwatch.AlarmProps): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, id, props);
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }

  private watchQueue(queue: ServiceQueue, props: MonitoringProps): void {
    const name = queue.planned.queue.name;
    const scope = new Construct(this, name);
    this.alarm(scope, "DeadLetters", {
      alarmName: `${props.prefix}-${name}-dead-letters`,
      alarmDescription: `DeadLetterQueueNotEmpty: ${name} has dead letters. List them with \`mercato dlq ${name}\`, fix the cause, then \`mercato redrive ${name}\` (docs/operations.md).`,
      metric: queue.deadLetters.metricApproximateNumberOfMessagesVisible({
        period: oneMinute,
        statistic: "Maximum",
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm(scope, "OldestMessage", {
      alarmName: `${props.prefix}-${name}-oldest-message`,
      alarmDescription: `QueueMessageTooOld: the oldest message of ${name} waited more than ${props.queueAgeSeconds} s: its consumers are down, failing or too few.`,
      metric: queue.queue.metricApproximateAgeOfOldestMessage({ period: oneMinute, statistic: "Maximum" }),
      threshold: props.queueAgeSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private watchServerErrors(props: MonitoringProps): cloudwatch.MathExpression {
    const usingMetrics: Record<string, cloudwatch.IMetric> = { requests: props.http.requests };
    props.http.serverErrors.forEach((metric, index) => {
      usingMetrics[`e${index}`] = metric;
    });
    const errors = props.http.serverErrors.map((_, index) => `FILL(e${index}, 0)`).join(" + ");
    const rate = new cloudwatch.MathExpression({
      label: "HTTP 5xx %",
      expression: `IF(FILL(requests, 0) > 0, 100 * (${errors}) / requests, 0)`,
      usingMetrics,
      period: fiveMinutes,
    });
    this.alarm(this, "ServerErrors", {
      alarmName: `${props.prefix}-gateway-5xx-rate`,
      alarmDescription: `More than ${serverErrorPercent}% of the shop's HTTP answers were 5xx over five minutes. Look at the gateway's and the services' logs for "request completed" with statusCode 5xx.`,
      metric: rate,
      threshold: serverErrorPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return rate;
  }

  /**
   * A failed checkout: POST /api/orders answered 5xx (cart did not answer, the database failed),
   * or an order rejected because payments did not answer in time (the saga's own failure; a
   * declined card or missing stock is an answer, not a failure). Both come from orders' JSON log
   * lines, so the count is the same whether orders runs in a container or a function.
   */
  private watchCheckouts(props: MonitoringProps): cloudwatch.Metric {
    const namespace = `Mercato/${props.prefix}`;
    const metricName = "CheckoutFailures";
    new logs.MetricFilter(this, "CheckoutServerErrors", {
      logGroup: props.checkoutLogs.requests,
      metricNamespace: namespace,
      metricName,
      filterPattern: logs.FilterPattern.all(
        logs.FilterPattern.stringValue("$.method", "=", "POST"),
        logs.FilterPattern.stringValue("$.route", "=", "/api/orders"),
        logs.FilterPattern.numberValue("$.statusCode", ">=", 500),
      ),
      metricValue: "1",
      defaultValue: 0,
    });
    new logs.MetricFilter(this, "CheckoutPaymentTimeouts", {
      logGroup: props.checkoutLogs.sweep,
      metricNamespace: namespace,
      metricName,
      filterPattern: logs.FilterPattern.stringValue(
        "$.msg",
        "=",
        "rejected orders whose payment did not answer in time",
      ),
      metricValue: "$.rejected",
    });
    const metric = new cloudwatch.Metric({
      namespace,
      metricName,
      statistic: "Sum",
      period: fiveMinutes,
      label: "Failed checkouts",
    });
    this.alarm(this, "CheckoutFailures", {
      alarmName: `${props.prefix}-checkout-failures`,
      alarmDescription:
        "Checkouts failed in the last five minutes: POST /api/orders answered 5xx, or orders were rejected because payments did not answer in time. Look at orders' and payments' logs.",
      metric,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return metric;
  }

  private buildDashboard(props: MonitoringProps, serverErrorRate: cloudwatch.IMetric): cloudwatch.Dashboard {
    const perQueue = (metricOf: (queue: ServiceQueue) => cloudwatch.IMetric) =>
      props.queues.map((queue) => metricOf(queue));
    const dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      dashboardName: `${props.prefix}-mercato`,
    });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: "HTTP requests", left: [props.http.requests], width: 8 }),
      new cloudwatch.GraphWidget({ title: "HTTP 5xx %", left: [serverErrorRate], width: 8 }),
      new cloudwatch.GraphWidget({ title: "Failed checkouts", left: [this.checkoutFailures], width: 8 }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: "Messages waiting",
        left: perQueue((queue) =>
          queue.queue.metricApproximateNumberOfMessagesVisible({
            period: oneMinute,
            statistic: "Maximum",
            label: queue.planned.queue.name,
          }),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: "Oldest message (s)",
        left: perQueue((queue) =>
          queue.queue.metricApproximateAgeOfOldestMessage({
            period: oneMinute,
            statistic: "Maximum",
            label: queue.planned.queue.name,
          }),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: "Dead letters",
        left: perQueue((queue) =>
          queue.deadLetters.metricApproximateNumberOfMessagesVisible({
            period: oneMinute,
            statistic: "Maximum",
            label: queue.planned.queue.name,
          }),
        ),
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: "Alarms", alarms: this.alarms, width: 24 }),
    );
    if (props.computeWidgets.length > 0) dashboard.addWidgets(...props.computeWidgets);
    return dashboard;
  }
}
