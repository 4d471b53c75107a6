import { Duration, aws_ec2 as ec2, RemovalPolicy, aws_rds as rds } from "aws-cdk-lib";
import { Construct } from "constructs";
import type { Network } from "./network.ts";

/** The master user: each service creates and owns its database `mercato_<service>` on first start. */
const username = "mercato";

/**
 * One PostgreSQL server for every service's database, in the private subnets, reachable from the
 * services only. Its credentials are generated into Secrets Manager (the generated password
 * holds no character that a URL would need to escape). Deleting the stack leaves a final snapshot.
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;

  constructor(scope: Construct, id: string, network: Network) {
    super(scope, id);
    this.instance = new rds.DatabaseInstance(this, "Postgres", {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
      // About 200 connections: eleven services with pools of 5, more while they scale out.
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.SMALL),
      vpc: network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      credentials: rds.Credentials.fromGeneratedSecret(username),
      allocatedStorage: 20,
      maxAllocatedStorage: 200,
      storageType: rds.StorageType.GP3,
      storageEncrypted: true,
      multiAz: false,
      backupRetention: Duration.days(7),
      deletionProtection: false,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      cloudwatchLogsExports: ["postgresql"],
    });
    this.instance.connections.allowDefaultPortFrom(network.services, "Mercato services");
  }

  /** The generated credentials: `username`, `password`, `host`, `port` and more, as JSON. */
  get secret() {
    const secret = this.instance.secret;
    if (!secret) throw new Error("The database was created without its generated secret");
    return secret;
  }

  /**
   * DATABASE_URL without the credentials, which node-postgres takes from PGUSER and PGPASSWORD.
   * TLS without checking the server's certificate: the image carries no RDS CA bundle, and the
   * connection never leaves the VPC.
   */
  get urlWithoutCredentials(): string {
    const { hostname, port } = this.instance.instanceEndpoint;
    return `postgres://${hostname}:${port}/postgres?sslmode=no-verify`;
  }
}
