import { aws_ec2 as ec2 } from "aws-cdk-lib";
import { Construct } from "constructs";

/** The port every Mercato process listens on (deploy/Dockerfile). */
export const servicePort = 8080;

/**
 * A VPC over two zones: public subnets for the load balancer and the NAT gateway, private ones
 * for the database and the services, which reach the AWS APIs and webhook receivers through
 * one NAT gateway (one is the cheap choice; a zone's outage then cuts the other's egress too).
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** Every service's tasks or functions: they call each other on servicePort. */
  readonly services: ec2.SecurityGroup;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, "Vpc", {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: "private", subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
    });
    this.services = new ec2.SecurityGroup(this, "Services", {
      vpc: this.vpc,
      description: "Mercato services: each other on 8080, anything outside (AWS APIs, webhooks, SMTP)",
      allowAllOutbound: true,
    });
    this.services.addIngressRule(
      this.services,
      ec2.Port.tcp(servicePort),
      "Mercato services call each other",
    );
  }
}
