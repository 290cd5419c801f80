import { ArnFormat, Duration, FeatureFlags, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { WorkflowDescriptor } from '../functions/report/evidence';
import { RESULTS_ROOT } from '../functions/dump-restore-test/read-report';
import {
  dumpRestoreTestBody,
  dumpRestoreTestCleanup,
  type DumpRestoreTestProps as BodyProps,
} from '../statemachines/dump-restore-test';
import { DrFunction } from './dr-function';
import { listChars, namesOrPatterns, RESOURCE_LIST_BUDGET } from './iam-scope';
import { DrWorkflow } from './dr-workflow';
import type { IsolatedNetwork } from './isolated-network';
import { acknowledgeWildcards } from './nag';
import type { DrPlan } from './plan';
import type { Reporting } from './reporting';
import { RestoreRunnerImage } from './restore-runner-image';

/** The monthly dump restore test: evidence and a notification on every run. */
export const DUMP_RESTORE_TEST_DESCRIPTOR: WorkflowDescriptor = {
  workflow: 'dump-restore-test',
  title: 'Dump restore test',
  scenario: 'restoreFromBackup',
  policy: 'always',
};

/** Key prefix of the runner's reports in the evidence bucket (functions/restore-runner/report.ts). */
const REPORTS = 'restore-reports/';

export interface DumpRestoreTestProps {
  readonly plan: DrPlan;
  readonly reporting: Reporting;
  /** The evidence bucket: the runner writes its reports there, the workflow's results go there too. */
  readonly evidenceBucket: s3.IBucket;
  /** The isolated network the tasks run in (shared with the snapshot restore test); this adds its endpoints. */
  readonly network: IsolatedNetwork;
}

/**
 * The monthly dump restore test (`edr-dump-restore-test`): each database's latest pg_dump restored by the restore
 * runner in a Fargate task (linux/arm64) in the isolated network, which reaches only S3 (gateway endpoint) and
 * ECR and CloudWatch Logs (interface endpoints, open to the task's security group only); the task's role reads
 * only the dumps and writes only reports; a Lambda reads each report into the run's evidence.
 */
export class DumpRestoreTest extends Construct {
  public readonly cluster: ecs.Cluster;
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  public readonly container: ecs.ContainerDefinition;
  /** The tasks' group: egress only to the endpoints, on 443. */
  public readonly taskSecurityGroup: ec2.SecurityGroup;
  /** The interface endpoints' group: 443 from the tasks' group only. */
  public readonly endpointSecurityGroup: ec2.SecurityGroup;
  public readonly readReportFunction: DrFunction;
  public readonly workflow: DrWorkflow;

  constructor(scope: Construct, id: string, props: DumpRestoreTestProps) {
    super(scope, id);
    const { plan, network, evidenceBucket } = props;
    const stack = Stack.of(this);
    const dump = plan.workload.dumpRestore;
    const vpc = network.vpc;
    const subnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

    this.taskSecurityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc,
      description: 'Dump restore tasks: HTTPS to the VPC endpoints only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: 'ECR and CloudWatch Logs endpoints: HTTPS from the dump restore tasks only',
      allowAllOutbound: false,
    });
    const https = ec2.Port.tcp(443);
    this.endpointSecurityGroup.addIngressRule(this.taskSecurityGroup, https, 'Restore tasks to the endpoints');
    this.taskSecurityGroup.addEgressRule(this.endpointSecurityGroup, https, 'Restore tasks to the endpoints');
    // S3 is reached through the gateway endpoint, whose addresses are the region's S3 prefix list: its id differs
    // per region and synth looks nothing up, so the group allows 443 out and the route tables bound where it goes
    // (no internet or NAT gateway: the only route out is the S3 prefix list's).
    this.taskSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      https,
      'S3 through the gateway endpoint (routes bound it)',
    );

    const s3Endpoint = vpc.addGatewayEndpoint('S3Endpoint', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [subnets],
    });
    for (const [endpointId, service] of [
      ['EcrApiEndpoint', ec2.InterfaceVpcEndpointAwsService.ECR],
      ['EcrDockerEndpoint', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
      ['LogsEndpoint', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
    ] as const) {
      vpc.addInterfaceEndpoint(endpointId, {
        service,
        subnets,
        securityGroups: [this.endpointSecurityGroup],
        // Not open to the VPC's CIDR (the default): only the tasks' group may reach the endpoints.
        open: false,
        privateDnsEnabled: true,
      });
    }

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    const logGroup = new logs.LogGroup(this, 'TaskLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: `${plan.system.namePrefix}-dump-restore-test`,
      cpu: dump.cpu,
      memoryLimitMiB: dump.memoryMiB,
      ephemeralStorageGiB: dump.ephemeralStorageGiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const image = new RestoreRunnerImage(this, 'Image', { plan });
    this.container = this.taskDefinition.addContainer('Runner', {
      image: ecs.ContainerImage.fromDockerImageAsset(image.asset),
      essential: true,
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'runner' }),
      // SIGTERM first: the runner kills pg_restore, drops what it created and exits 3 within this.
      stopTimeout: Duration.seconds(120),
      user: 'postgres',
      environment: {
        EDR_REPORT_BUCKET: evidenceBucket.bucketName,
        EDR_PLAN_FILE: '/opt/restore-runner/plan.json',
        AWS_REGION: stack.region,
      },
    });
    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds names only (report bucket, plan file path, region); the runner holds no secret: IAM signs its S3 calls, its server is local and throwaway.',
    });

    // The gateway endpoint lets through only what the task needs (its own role allows no more): the dumps, the
    // reports, and the image's layers, which ECR serves from its region's S3 bucket (Amazon ECR User Guide, "Amazon
    // ECR interface VPC endpoints", the starport layer bucket) — no other bucket, whoever asks.
    for (const access of this.grantTaskRole(plan, evidenceBucket)) {
      s3Endpoint.addToPolicy(new iam.PolicyStatement({ ...access, principals: [new iam.AnyPrincipal()] }));
    }
    s3Endpoint.addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject'],
        resources: [`arn:${stack.partition}:s3:::prod-${stack.region}-starport-layer-bucket/*`],
      }),
    );

    this.readReportFunction = new DrFunction(this, 'ReadReport', {
      plan,
      entry: 'functions/dump-restore-test/handler.ts',
      description: 'Dump restore test: reads a restore task’s report into results and measurements',
      environment: { EVIDENCE_BUCKET: evidenceBucket.bucketName },
    });
    const reports = evidenceBucket.arnForObjects(`${REPORTS}*`);
    const results = evidenceBucket.arnForObjects(`${RESULTS_ROOT}*`);
    this.readReportFunction.allow({ actions: ['s3:GetObject'], resources: [reports] });
    // Without s3:ListBucket a missing report answers 403, not NoSuchKey.
    this.readReportFunction.allow({ actions: ['s3:ListBucket'], resources: [evidenceBucket.bucketArn] });
    this.readReportFunction.allow({ actions: ['s3:PutObject'], resources: [results] });
    acknowledgeWildcards(
      this.readReportFunction.role,
      { resources: [reports, results] },
      'Reports and results are written per run under their own prefixes of the evidence bucket (restore-reports/<execution>/, runs/dump-restore-test/<execution>/results/).',
    );

    const bodyProps: BodyProps = {
      plan,
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      container: this.container,
      securityGroup: this.taskSecurityGroup,
      subnets,
      readReportFunction: this.readReportFunction,
    };
    this.workflow = new DrWorkflow(this, 'Workflow', {
      plan,
      reporting: props.reporting,
      descriptor: DUMP_RESTORE_TEST_DESCRIPTOR,
      timeout: Duration.minutes(plan.timeouts.workflowMinutes.dumpRestoreTest),
      body: (s) => dumpRestoreTestBody(s, bodyProps),
      cleanup: (s) => dumpRestoreTestCleanup(s, bodyProps),
      schedule: plan.schedules.dumpRestoreTest,
    });
    const machine = this.workflow.stateMachine;
    const clusterTasks = stack.formatArn({
      service: 'ecs',
      resource: 'task',
      resourceName: `${this.cluster.clusterName}/*`,
    });
    // RunTask with Tags needs ecs:TagResource on the task it creates.
    machine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecs:TagResource'],
        resources: [clusterTasks],
        conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
      }),
    );
    // Without the feature flag (an app run without cdk.json's context), CDK grants ecs:RunTask on every revision of
    // the family (`<family ARN>:*`), as it computes it.
    const revisions = FeatureFlags.of(this).isEnabled(cxapi.STEPFUNCTIONS_TASKS_FIX_RUN_ECS_TASK_POLICY)
      ? []
      : [`${familyArn(this.taskDefinition.taskDefinitionArn, stack)}:*`];
    acknowledgeWildcards(
      machine.role,
      { resources: [clusterTasks, `${this.readReportFunction.functionArn}:*`, ...revisions] },
      'Tasks are created per run (task/<cluster>/<id>): the cleanup describes and stops only this cluster’s, StopTask only those tagged with our owner and the ephemeral lifecycle; ListTasks and .sync’s StopTask/DescribeTasks take no task ARN and are conditioned on the cluster (ecs:cluster); :* is CDK’s grant to invoke the function’s versions.',
    );
    acknowledgeWildcards(
      this.taskDefinition.obtainExecutionRole(),
      { resources: ['*'] },
      'ecr:GetAuthorizationToken supports no resource-level permission; the image pull itself is limited to the asset repository.',
    );
  }

  /**
   * The task role: `s3:GetObject` on each database's latest dump only, `s3:ListBucket` on its bucket (without it a
   * missing object answers 403, not NoSuchKey), `kms:Decrypt` on the bucket's key, `s3:PutObject` on reports only.
   * Nothing writes or deletes in a backup bucket.
   */
  private grantTaskRole(plan: DrPlan, evidenceBucket: s3.IBucket): iam.PolicyStatementProps[] {
    const role = this.taskDefinition.taskRole;
    const access: iam.PolicyStatementProps[] = [];
    const stack = Stack.of(this);
    const { prefix, latestDumpKey } = plan.backups.keyLayout;
    const buckets = [...new Set(plan.databases.flatMap((db) => (db.backupBucket ? [db.backupBucket] : [])))];
    const wildcards: string[] = [];
    if (buckets.length > 0) {
      // The plan's buckets while their ARNs fit a list; for a fleet, name patterns of them (lib/iam-scope.ts), held
      // to this account (S3 ARNs carry none) — still only the latest-dump key, and only reads.
      const scoped = namesOrPatterns(buckets, (name) => `arn:aws:s3:::${name}/${prefix}${latestDumpKey}`.length * 2);
      const conditions = scoped.patterned ? { StringEquals: { 's3:ResourceAccount': stack.account } } : undefined;
      const bucketArns = scoped.names.map((name) => `arn:${stack.partition}:s3:::${name}`);
      const dumpArns = bucketArns.map((arn) => `${arn}/${prefix}${latestDumpKey}`);
      access.push(
        { actions: ['s3:GetObject'], resources: dumpArns, conditions },
        { actions: ['s3:ListBucket'], resources: bucketArns, conditions },
      );
      if (scoped.patterned) wildcards.push(...bucketArns, ...dumpArns);
      const keys = [
        ...new Set(plan.buckets.flatMap((b) => (buckets.includes(b.name) && b.kmsKeyArn ? [b.kmsKeyArn] : []))),
      ];
      if (keys.length > 0 && listChars(keys) <= RESOURCE_LIST_BUDGET) {
        role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: keys }));
      } else if (keys.length > 0) {
        // Any key of this account in the keys' regions, but only for what S3 decrypts on this role's behalf.
        const keyRegions = [...new Set(keys.map((k) => k.split(':')[3] ?? ''))].sort();
        const keyArns = keyRegions.map((r) => `arn:${stack.partition}:kms:${r}:${stack.account}:key/*`);
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['kms:Decrypt'],
            resources: keyArns,
            conditions: { StringEquals: { 'kms:ViaService': keyRegions.map((r) => `s3.${r}.amazonaws.com`) } },
          }),
        );
        wildcards.push(...keyArns);
      }
    }
    const reports = evidenceBucket.arnForObjects(`${REPORTS}*`);
    access.push({ actions: ['s3:PutObject'], resources: [reports] });
    for (const statement of access) role.addToPrincipalPolicy(new iam.PolicyStatement(statement));
    acknowledgeWildcards(
      role,
      { resources: [reports, ...wildcards] },
      'The runner writes one report per run and database under restore-reports/<execution>/ of the evidence bucket; for a fleet, the backups buckets and their keys are name patterns of the plan’s own names (lib/iam-scope.ts), held to this account (s3:ResourceAccount, kms:ViaService), and still read only the latest-dump key.',
    );
    return access;
  }
}

/** The ARN of a task definition's family, without its revision, as EcsRunTask computes it. */
function familyArn(taskDefinitionArn: string, stack: Stack): string {
  const parts = stack.splitArn(taskDefinitionArn, ArnFormat.SLASH_RESOURCE_NAME);
  return stack.formatArn({
    partition: parts.partition,
    service: parts.service,
    account: parts.account,
    region: parts.region,
    resource: parts.resource,
    arnFormat: parts.arnFormat,
    resourceName: parts.resourceName?.split(':')[0],
  });
}
