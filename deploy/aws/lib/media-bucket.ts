import { RemovalPolicy, aws_s3 as s3 } from "aws-cdk-lib";
import { Construct } from "constructs";

/**
 * The media bucket: private (catalog serves the images itself), encrypted, TLS only. It outlives
 * the stack, as the images are the shop's data.
 */
export class MediaBucket extends Construct {
  readonly bucket: s3.Bucket;
  /** Where the blobs go: BLOB_URL's prefix, the only part of the bucket a service may touch. */
  readonly objectPrefix = "blobs";

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, "Bucket", {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** BLOB_URL for the services that keep blobs. */
  get blobUrl(): string {
    return `s3://${this.bucket.bucketName}/${this.objectPrefix}`;
  }
}
