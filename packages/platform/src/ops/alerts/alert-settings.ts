import { z } from "zod";

const seconds = z.coerce
  .number({ message: "must be a number of seconds" })
  .positive("must be more than 0 seconds")
  .max(7 * 24 * 60 * 60, "must be at most 604800 (a week)");

/**
 * The alert thresholds (MERCATO_ALERT_*), part of the platform's environment. The defaults are
 * the thresholds written in deploy/prometheus/alerts.yml; a test keeps the two in step.
 */
export const alertVariables = {
  MERCATO_ALERT_QUEUE_AGE_SECONDS: seconds.default(300),
  MERCATO_ALERT_ERROR_RATE: z.coerce
    .number({ message: "must be a number" })
    .gt(0, "must be a share of handler runs above 0 (0.1 is 10%)")
    .max(1, "must be a share of handler runs, at most 1 (0.1 is 10%)")
    .default(0.1),
  MERCATO_ALERT_ERROR_RATE_WINDOW_SECONDS: seconds.int("must be a whole number of seconds").default(300),
  MERCATO_ALERT_PENDING_ORDER_SECONDS: seconds.default(300),
};

export interface AlertSettings {
  /** A queue whose oldest unacknowledged message is older than this fires QueueMessageTooOld. */
  queueAgeSeconds: number;
  /** The share of a queue's handler runs that may fail in the window before HandlerErrorRateHigh. */
  errorRate: number;
  errorRateWindowSeconds: number;
  /** An order pending longer than this fires OrdersStuckPending. */
  pendingOrderSeconds: number;
}

type AlertValues = { [K in keyof typeof alertVariables]: z.output<(typeof alertVariables)[K]> };

export function alertSettingsOf(values: AlertValues): AlertSettings {
  return {
    queueAgeSeconds: values.MERCATO_ALERT_QUEUE_AGE_SECONDS,
    errorRate: values.MERCATO_ALERT_ERROR_RATE,
    errorRateWindowSeconds: values.MERCATO_ALERT_ERROR_RATE_WINDOW_SECONDS,
    pendingOrderSeconds: values.MERCATO_ALERT_PENDING_ORDER_SECONDS,
  };
}
