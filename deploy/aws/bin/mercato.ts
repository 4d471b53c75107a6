import { App } from "aws-cdk-lib";
import { MercatoStack } from "../lib/mercato-stack.ts";
import { deploymentSettings } from "../lib/settings.ts";

/**
 * The CDK app (deploy/aws/cdk.json runs it): one stack, its settings from the context, for
 * example `npx cdk deploy -c mercato:compute=lambda` (docs/aws.md). A bad setting or a missing
 * bundle is one message, not a stack trace.
 */
const app = new App();
try {
  const settings = deploymentSettings((key) => app.node.tryGetContext(key));
  new MercatoStack(app, stackName(settings.prefix), {
    settings,
    description: `Mercato (${settings.compute}), bus prefix ${settings.prefix}`,
  });
  app.synth();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}

function stackName(prefix: string): string {
  return prefix === "mercato" ? "Mercato" : `Mercato-${prefix}`;
}
