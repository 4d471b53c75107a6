/** How the services run: ECS Fargate containers behind a load balancer, or Lambda functions. */
export type Compute = "containers" | "lambda";

/** What one deployment chooses, from the CDK context (`cdk deploy -c mercato:compute=lambda`). */
export interface DeploymentSettings {
  compute: Compute;
  /** MERCATO_BUS_PREFIX: starts every queue and rule name, so deployments can share an account. */
  prefix: string;
  /** A pushed image to run instead of building deploy/Dockerfile from this repository. */
  image?: string;
  /** An ACM certificate: the load balancer then serves HTTPS and redirects HTTP to it. */
  certificateArn?: string;
  /** Subscribed to the alarms' topic. */
  alarmEmail?: string;
  /** MERCATO_PUBLIC_URL, the shop's address in emails; the load balancer's or the API's otherwise. */
  publicUrl?: string;
  /** Alarm when a queue's oldest message is older than this (MERCATO_ALERT_QUEUE_AGE_SECONDS). */
  queueAgeSeconds: number;
  /** MERCATO_ADMIN_EMAIL, the first admin's login; the password is generated in Secrets Manager. */
  adminEmail: string;
}

/** The context keys read, each with what it takes. */
export const contextKeys = {
  compute: "mercato:compute",
  prefix: "mercato:prefix",
  image: "mercato:image",
  certificateArn: "mercato:certificateArn",
  alarmEmail: "mercato:alarmEmail",
  publicUrl: "mercato:publicUrl",
  queueAgeSeconds: "mercato:queueAgeSeconds",
  adminEmail: "mercato:adminEmail",
} as const;

/** The same rule as MERCATO_BUS_PREFIX in packages/platform/src/config.ts. */
const prefixPattern = /^[a-z][a-z0-9-]{0,30}$/;
const certificatePattern = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const emailPattern = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Reads and checks the settings; `read` answers a context key (what `node.tryGetContext` gives:
 * a string from `-c`, anything from cdk.json). Throws one error naming every bad key.
 */
export function deploymentSettings(read: (key: string) => unknown): DeploymentSettings {
  const problems: string[] = [];
  const text = (key: string): string | undefined => {
    const value = read(key);
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") {
      problems.push(`${key} must be a string (got ${JSON.stringify(value)})`);
      return undefined;
    }
    return value.trim();
  };

  const compute = text(contextKeys.compute) ?? "containers";
  if (compute !== "containers" && compute !== "lambda") {
    problems.push(`${contextKeys.compute} must be "containers" or "lambda" (got ${JSON.stringify(compute)})`);
  }
  const prefix = text(contextKeys.prefix) ?? "mercato";
  if (!prefixPattern.test(prefix)) {
    problems.push(
      `${contextKeys.prefix} must be lowercase letters, digits and - (at most 31), starting with a letter (got ${JSON.stringify(prefix)})`,
    );
  }
  const image = text(contextKeys.image);
  if (image !== undefined && /\s/.test(image)) {
    problems.push(
      `${contextKeys.image} must be an image reference such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/mercato:1.0`,
    );
  }
  const certificateArn = text(contextKeys.certificateArn);
  if (certificateArn !== undefined && !certificatePattern.test(certificateArn)) {
    problems.push(
      `${contextKeys.certificateArn} must be an ACM certificate ARN (got ${JSON.stringify(certificateArn)})`,
    );
  }
  if (certificateArn !== undefined && compute === "lambda") {
    problems.push(`${contextKeys.certificateArn} is for the load balancer of compute=containers`);
  }
  const alarmEmail = text(contextKeys.alarmEmail);
  if (alarmEmail !== undefined && !emailPattern.test(alarmEmail)) {
    problems.push(`${contextKeys.alarmEmail} must be an email address (got ${JSON.stringify(alarmEmail)})`);
  }
  const adminEmail = text(contextKeys.adminEmail) ?? "admin@mercato.local";
  if (!emailPattern.test(adminEmail)) {
    problems.push(`${contextKeys.adminEmail} must be an email address (got ${JSON.stringify(adminEmail)})`);
  }
  const publicUrl = text(contextKeys.publicUrl);
  if (publicUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(publicUrl)) {
    problems.push(`${contextKeys.publicUrl} must be an http(s) URL (got ${JSON.stringify(publicUrl)})`);
  }
  const ageText = text(contextKeys.queueAgeSeconds) ?? "300";
  const queueAgeSeconds = Number(ageText);
  if (!(Number.isInteger(queueAgeSeconds) && queueAgeSeconds >= 60)) {
    problems.push(
      `${contextKeys.queueAgeSeconds} must be a whole number of seconds, at least 60 (got ${JSON.stringify(ageText)})`,
    );
  }

  if (problems.length > 0) {
    throw new Error(
      `Invalid deployment settings:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`,
    );
  }
  return {
    compute: compute as Compute,
    prefix,
    queueAgeSeconds,
    adminEmail,
    ...(image ? { image } : {}),
    ...(certificateArn ? { certificateArn } : {}),
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(publicUrl ? { publicUrl } : {}),
  };
}
