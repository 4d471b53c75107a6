import { fileURLToPath } from "node:url";
import { aws_ecr_assets as assets, aws_ecr as ecr, aws_ecs as ecs } from "aws-cdk-lib";
import type { Construct } from "constructs";

/** The repository root: deploy/Dockerfile's build context. */
export const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));

const ecrImage = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/([a-z0-9._/-]+):([\w.-]+)$/;

/**
 * The one image of every service: `image` when given (an ECR image of this account, which the
 * tasks are allowed to pull, or any public one), otherwise deploy/Dockerfile built by `cdk deploy`
 * from the repository and pushed to the CDK's asset repository. Synthesis only fingerprints the
 * sources (the root .dockerignore leaves out installs, builds and data); it never runs Docker.
 */
export function containerImage(scope: Construct, image: string | undefined): ecs.ContainerImage {
  if (image === undefined) {
    return ecs.ContainerImage.fromAsset(repositoryRoot, {
      file: "deploy/Dockerfile",
      platform: assets.Platform.LINUX_AMD64,
      exclude: ["deploy/aws/cdk.out"],
    });
  }
  const ecrMatch = ecrImage.exec(image);
  if (ecrMatch) {
    const [, repository = "", tag = ""] = ecrMatch;
    return ecs.ContainerImage.fromEcrRepository(
      ecr.Repository.fromRepositoryName(scope, "Image", repository),
      tag,
    );
  }
  return ecs.ContainerImage.fromRegistry(image);
}
