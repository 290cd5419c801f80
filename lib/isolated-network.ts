import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';

export interface IsolatedNetworkProps {
  /** Availability zones of the subnets (at least two: a DB subnet group spans two); no AZ lookup at synth. */
  readonly availabilityZones: readonly string[];
  /** The network's address range. */
  readonly cidr: string;
  /** Ports the databases listen on, opened only from the validator's group. */
  readonly databasePorts: readonly number[];
}

/**
 * A network where restored copies cannot reach or be reached from anything but the validator: isolated subnets
 * only (no internet or NAT gateway, no peering, no route to 0.0.0.0/0), flow logs of all traffic, a DB subnet
 * group, and two security groups — the databases' admits the database port only from the validator's, and the
 * validator's may send only to the databases' on that port. The validator needs no VPC endpoint: it signs its
 * IAM token locally and speaks only to the copy.
 */
export class IsolatedNetwork extends Construct {
  public readonly vpc: ec2.Vpc;
  public readonly subnetGroup: rds.SubnetGroup;
  /** Security group of the restored copies. */
  public readonly databaseSecurityGroup: ec2.SecurityGroup;
  /** Security group of the validator Lambda. */
  public readonly validatorSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: IsolatedNetworkProps) {
    super(scope, id);
    if (props.availabilityZones.length < 2)
      throw new Error(
        `IsolatedNetwork: availabilityZones needs at least two zones (got ${props.availabilityZones.length})`,
      );
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      availabilityZones: [...props.availabilityZones],
      natGateways: 0,
      createInternetGateway: false,
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 28 }],
      flowLogs: {
        All: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
          trafficType: ec2.FlowLogTrafficType.ALL,
        },
      },
    });
    for (const subnet of this.vpc.isolatedSubnets) {
      Validations.of(subnet).acknowledge({
        id: 'CloudFormation-Validate::W3010',
        reason:
          'The zones are the plan’s (restoreTest.availabilityZones, refused outside the primary region): synth looks nothing up, so it names them.',
      });
    }
    this.subnetGroup = new rds.SubnetGroup(this, 'DbSubnetGroup', {
      description: 'Entmoot DR restore-test copies (isolated subnets)',
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.databaseSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: this.vpc,
      description: 'Restored copies: the database port from the validator only',
      allowAllOutbound: false,
    });
    this.validatorSecurityGroup = new ec2.SecurityGroup(this, 'ValidatorSecurityGroup', {
      vpc: this.vpc,
      description: 'Database validator: only to the copies, on the database port',
      allowAllOutbound: false,
    });
    for (const number of new Set(props.databasePorts)) {
      const port = ec2.Port.tcp(number);
      this.databaseSecurityGroup.addIngressRule(this.validatorSecurityGroup, port, 'Validator to copies');
      this.validatorSecurityGroup.addEgressRule(this.databaseSecurityGroup, port, 'Validator to copies');
    }
  }
}
