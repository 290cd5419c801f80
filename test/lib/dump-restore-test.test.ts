import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { DUMP_RESTORE_TASK_MARGIN_MINUTES } from '../../lib/plan-rules';
import { RESTORE_RUNNER_BUNDLE, RESTORE_RUNNER_NODE_MAJOR } from '../../lib/restore-runner-bundle';
import { parsePlan } from '../../lib/plan';
import { configuredPlan, examplePlanInput } from '../support/plans';
import { synthesize } from '../support/synth';

const plan = configuredPlan();

/** The only resource of `type` whose logical id starts with `prefix`. */
function only(template: Template, type: string, prefix: string): [string, Record<string, any>] {
  const hits = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  expect(hits.map(([id]) => id)).toHaveLength(1);
  return hits[0]!;
}

/** The statements of the inline policies attached to the role with this logical id. */
function roleStatements(template: Template, roleId: string): Record<string, unknown>[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
}

describe('the dump restore test’s network', () => {
  const { primary } = synthesize();
  const [taskGroup] = only(primary, 'AWS::EC2::SecurityGroup', 'DumpRestoreTestTaskSecurityGroup');
  const [endpointGroup] = only(primary, 'AWS::EC2::SecurityGroup', 'DumpRestoreTestEndpointSecurityGroup');

  it('has no route to 0.0.0.0/0: no internet or NAT gateway, no route resource', () => {
    primary.resourceCountIs('AWS::EC2::InternetGateway', 0);
    primary.resourceCountIs('AWS::EC2::NatGateway', 0);
    primary.resourceCountIs('AWS::EC2::EgressOnlyInternetGateway', 0);
    primary.resourceCountIs('AWS::EC2::Route', 0);
  });

  it('has exactly four endpoints: S3 as a gateway, ecr.api, ecr.dkr and logs as interfaces in the endpoints’ group', () => {
    const endpoints = Object.values(primary.findResources('AWS::EC2::VPCEndpoint')).map((e) => e.Properties);
    const service = (e: Record<string, any>) => JSON.stringify(e.ServiceName);

    expect(endpoints).toHaveLength(4);
    expect(endpoints.filter((e) => e.VpcEndpointType === 'Gateway').map(service)).toEqual([
      JSON.stringify({ 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] }),
    ]);
    const interfaces = endpoints.filter((e) => e.VpcEndpointType === 'Interface');
    expect(interfaces.map((e) => e.ServiceName).sort()).toEqual([
      'com.amazonaws.us-east-1.ecr.api',
      'com.amazonaws.us-east-1.ecr.dkr',
      'com.amazonaws.us-east-1.logs',
    ]);
    for (const e of interfaces) {
      expect(e.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [endpointGroup, 'GroupId'] }]);
      expect(e.PrivateDnsEnabled).toBe(true);
    }
  });

  it('lets through the S3 gateway only the latest dump, its bucket’s listing, the reports and ECR’s image layers', () => {
    const [gateway] = Object.values(primary.findResources('AWS::EC2::VPCEndpoint')).filter(
      (e) => e.Properties.VpcEndpointType === 'Gateway',
    );
    const [evidence] = only(primary, 'AWS::S3::Bucket', 'EvidenceBucket');
    const bucket = plan.databases[0]!.backupBucket!;
    const { prefix, latestDumpKey } = plan.backups.keyLayout;

    const statements = gateway!.Properties.PolicyDocument.Statement as Record<string, unknown>[];

    expect(statements).toEqual([
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Resource: [
          `arn:aws:s3:::${bucket}/${prefix}${latestDumpKey}`,
          'arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*',
        ],
      },
      { Action: 's3:ListBucket', Effect: 'Allow', Principal: { AWS: '*' }, Resource: `arn:aws:s3:::${bucket}` },
      {
        Action: 's3:PutObject',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [evidence, 'Arn'] }, '/restore-reports/*']] },
      },
    ]);
  });

  it('opens the endpoints’ group to 443 from the tasks’ group only', () => {
    const into = Object.values(primary.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify({ 'Fn::GetAtt': [endpointGroup, 'GroupId'] }));
    expect(into).toEqual([
      {
        Description: 'Restore tasks to the endpoints',
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        GroupId: { 'Fn::GetAtt': [endpointGroup, 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [taskGroup, 'GroupId'] },
      },
    ]);
    const [, endpoints] = only(primary, 'AWS::EC2::SecurityGroup', 'DumpRestoreTestEndpointSecurityGroup');
    expect(endpoints.Properties.SecurityGroupIngress).toBeUndefined();
  });

  it('lets the tasks send only HTTPS: to the endpoints’ group, and to S3 through the gateway (the only route out)', () => {
    const [, group] = only(primary, 'AWS::EC2::SecurityGroup', 'DumpRestoreTestTaskSecurityGroup');
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    expect(group.Properties.SecurityGroupEgress).toEqual([
      {
        CidrIp: '0.0.0.0/0',
        Description: 'S3 through the gateway endpoint (routes bound it)',
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
      },
    ]);
    primary.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [taskGroup, 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      DestinationSecurityGroupId: { 'Fn::GetAtt': [endpointGroup, 'GroupId'] },
    });
  });
});

describe('the dump restore test’s task', () => {
  const { primary } = synthesize();
  const [, taskDefinition] = only(primary, 'AWS::ECS::TaskDefinition', 'DumpRestoreTestTaskDefinition');
  const props = taskDefinition.Properties;

  it('runs on Fargate, ARM64, sized by the plan, with awslogs and a 120 s stop timeout as postgres', () => {
    const dump = plan.workload.dumpRestore;
    expect(props).toMatchObject({
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      Cpu: String(dump.cpu),
      Memory: String(dump.memoryMiB),
      EphemeralStorage: { SizeInGiB: dump.ephemeralStorageGiB },
      Family: `${plan.system.namePrefix}-dump-restore-test`,
    });
    const [container] = props.ContainerDefinitions;
    expect(props.ContainerDefinitions).toHaveLength(1);
    expect(container).toMatchObject({
      Name: 'Runner',
      Essential: true,
      StopTimeout: 120,
      User: 'postgres',
      LogConfiguration: { LogDriver: 'awslogs' },
    });
  });

  it('lets the task role read only each latest dump and list its bucket, and write only reports', () => {
    const roleId = props.TaskRoleArn['Fn::GetAtt'][0] as string;
    const { prefix, latestDumpKey } = plan.backups.keyLayout;
    const bucket = plan.databases[0]!.backupBucket!;

    const [evidence] = only(primary, 'AWS::S3::Bucket', 'EvidenceBucket');

    const statements = roleStatements(primary, roleId);

    expect(statements).toEqual([
      { Action: 's3:GetObject', Effect: 'Allow', Resource: `arn:aws:s3:::${bucket}/${prefix}${latestDumpKey}` },
      { Action: 's3:ListBucket', Effect: 'Allow', Resource: `arn:aws:s3:::${bucket}` },
      {
        Action: 's3:PutObject',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [evidence, 'Arn'] }, '/restore-reports/*']] },
      },
    ]);
  });

  it('gives the execution role the image pull and its own log group, nothing else', () => {
    const roleId = props.ExecutionRoleArn['Fn::GetAtt'][0] as string;
    const [logGroup] = only(primary, 'AWS::Logs::LogGroup', 'DumpRestoreTestTaskLogs');

    const actions = roleStatements(primary, roleId).map((s) => [s.Action, s.Resource]);

    expect(actions).toEqual([
      [
        ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        expect.stringMatching(/^arn:aws:ecr:us-east-1:\d{12}:repository\/cdk-[a-z0-9]+-container-assets-/),
      ],
      ['ecr:GetAuthorizationToken', '*'],
      [['logs:CreateLogStream', 'logs:PutLogEvents'], { 'Fn::GetAtt': [logGroup, 'Arn'] }],
    ]);
  });

  it('waits for the task at most the runner’s deadline plus the start-and-stop margin, one database at a time by default', () => {
    const [, machine] = only(primary, 'AWS::StepFunctions::StateMachine', 'DumpRestoreTestWorkflowStateMachine');
    const definition = JSON.stringify(machine.Properties.DefinitionString);

    expect(definition).toContain(
      `\\"TimeoutSeconds\\":${(plan.workload.dumpRestore.deadlineMinutes + DUMP_RESTORE_TASK_MARGIN_MINUTES) * 60}`,
    );
    expect(definition).toContain(`\\"MaxConcurrency\\":${plan.workload.dumpRestore.maxConcurrent}`);
    expect(definition).toContain(':states:::ecs:runTask.sync');
    primary.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: plan.schedules.dumpRestoreTest,
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^DumpRestoreTestWorkflowStateMachine') } })],
    });
  });
});

describe('the runner’s image', () => {
  it('is an ARM64 image asset built from the Dockerfile with the plan’s PostgreSQL major', () => {
    const { app } = synthesize();
    const assembly = app.synth();
    const manifest = JSON.parse(
      readFileSync(join(assembly.directory, `${assembly.getStackByName('EntmootDrPrimary').id}.assets.json`), 'utf8'),
    );

    const images = Object.values(manifest.dockerImages) as { source: Record<string, unknown> }[];

    expect(images).toHaveLength(1);
    expect(images[0]!.source).toMatchObject({
      platform: 'linux/arm64',
      dockerBuildArgs: {
        POSTGRES_MAJOR: String(plan.workload.dumpRestore.postgresMajor),
        NODE_MAJOR: String(RESTORE_RUNNER_NODE_MAJOR),
      },
    });
  });

  it('synthesizes without Docker: the build context is staged with the runner bundled by local esbuild and the plan', () => {
    const docker = process.env.CDK_DOCKER;
    process.env.CDK_DOCKER = '/nonexistent/docker';
    try {
      const { app } = synthesize(plan, { bundle: true });
      const assembly = app.synth();
      const manifest = JSON.parse(
        readFileSync(join(assembly.directory, `${assembly.getStackByName('EntmootDrPrimary').id}.assets.json`), 'utf8'),
      );
      const [image] = Object.values(manifest.dockerImages) as { source: { directory: string } }[];
      const context = join(assembly.directory, image!.source.directory);

      expect(readdirSync(context).sort()).toEqual(['Dockerfile', 'runner']);
      expect(readdirSync(join(context, 'runner')).sort()).toEqual([RESTORE_RUNNER_BUNDLE, 'plan.json'].sort());
      expect(JSON.parse(readFileSync(join(context, 'runner', 'plan.json'), 'utf8'))).toEqual(
        JSON.parse(JSON.stringify(plan)),
      );
      expect(readFileSync(join(context, 'runner', RESTORE_RUNNER_BUNDLE), 'utf8')).not.toMatch(/require\("aws-cdk-lib/);
      expect(readFileSync(join(context, 'Dockerfile'), 'utf8')).toContain(
        `\nENTRYPOINT ["node", "/opt/restore-runner/${RESTORE_RUNNER_BUNDLE}"]\n`,
      );
      expect(readFileSync(join(context, 'Dockerfile'), 'utf8')).toMatch(/^USER postgres$/m);
      expect(existsSync('/nonexistent/docker')).toBe(false);
    } finally {
      if (docker === undefined) delete process.env.CDK_DOCKER;
      else process.env.CDK_DOCKER = docker;
    }
  });
});

describe('a plan without dumps', () => {
  it('deploys no dump restore test: a test of nothing would pass every month', () => {
    const input = examplePlanInput();
    const databases = (input.databases as Record<string, unknown>[]).map(({ backupBucket: _, ...db }) => db);

    const { stacks, primary } = synthesize(parsePlan({ ...input, databases }));

    expect(stacks.primary.dumpRestoreTest).toBeUndefined();
    primary.resourceCountIs('AWS::ECS::Cluster', 0);
    primary.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });
});
