import { App } from "aws-cdk-lib";
import { MercatoStack } from "../lib/mercato-stack.ts";
import { deploymentSettings } from "../lib/settings.ts";

/**
 * The CDK app (deploy/aws/cdk.json runs it): one stack, its settings from the context, for
 * example `npx cdk deploy -c mercato:compute=lambda` (docs/aws.md).
 */
const app = new App();
const settings = deploymentSettings((key) => app.node.tryGetContext(key));
new MercatoStack(app, stackName(settings.prefix), {
  settings,
  description: `Mercato (${settings.compute}), bus prefix ${settings.prefix}`,
});
app.synth();

function stackName(prefix: string): string {
  return prefix === "mercato" ? "Mercato" : `Mercato-${prefix}`;
}
