import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { copyPlanCommand, DR_BUNDLING, PROJECT_ROOT, SOURCE_MAPS_NODE_OPTIONS, writePlanFile } from './bundling';
import { acknowledgeWildcards } from './nag';
import type { DrPlan } from './plan';

/** The newest Node.js runtime aws-cdk-lib offers (cdk-nag's AwsSolutions-L1 asks for it). */
export const DR_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** How long function logs are kept. */
export const FUNCTION_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

export interface DrFunctionProps {
  /** The validated DR plan; shipped beside the bundle as `plan.json` (see functions/shared/plan.ts). */
  readonly plan: DrPlan;
  /** Entry file relative to the repository root, e.g. `functions/janitor/handler.ts`. */
  readonly entry: string;
  /** What the function does, for the console. */
  readonly description: string;
  /** Powertools service name.
   * @default - the construct id */
  readonly serviceName?: string;
  /** Extra environment variables (never secrets).
   * @default - none */
  readonly environment?: Record<string, string>;
  /** Function timeout.
   * @default - the plan's Lambda task timeout */
  readonly timeout?: Duration;
  /** Memory.
   * @default 256 */
  readonly memorySize?: number;
  /** Whether stack traces go through the source map (`--enable-source-maps`), at a cold-start cost.
   * @default false */
  readonly enableSourceMaps?: boolean;
  /** Whether the function connects to RDS over TLS (adds the RDS CA bundle path for Node's TLS).
   * @default false */
  readonly connectsToDatabase?: boolean;
}

/**
 * NodejsFunction with the house defaults: newest Node.js runtime, arm64, minified bundle (names kept) with its
 * source map, built by the local esbuild (no Docker), explicit log group with retention, active tracing, Powertools
 * environment, and the DR plan shipped beside the bundle (`plan.json`, never in environment variables).
 */
export class DrFunction extends nodejs.NodejsFunction {
  /** The function's log group. */
  public readonly functionLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DrFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: FUNCTION_LOG_RETENTION });
    // Own role instead of AWSLambdaBasicExecutionRole (logs:* on *): writing to its own log group only.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(role);
    const planFile = writePlanFile(props.plan);
    super(scope, id, {
      role,
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: DR_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(props.plan.timeouts.lambdaTaskSeconds),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? id,
        POWERTOOLS_METRICS_NAMESPACE: 'EntmootDR',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...(props.enableSourceMaps ? { NODE_OPTIONS: SOURCE_MAPS_NODE_OPTIONS } : {}),
        ...(props.connectsToDatabase ? { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' } : {}),
        ...props.environment,
      },
      bundling: {
        ...DR_BUNDLING,
        externalModules: [...DR_BUNDLING.externalModules],
        mainFields: [...DR_BUNDLING.mainFields],
        forceDockerBundling: false,
        // The asset hash is taken from the output folder, so a changed plan is a new asset.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => [copyPlanCommand(planFile, outputDir)],
        },
      },
    });
    this.functionLogGroup = logGroup;
    acknowledgeWildcards(
      role,
      { resources: ['*'] },
      'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level permissions.',
    );
  }

  /** Grants an IAM statement to the function's role. */
  public allow(statement: iam.PolicyStatementProps): void {
    this.addToRolePolicy(new iam.PolicyStatement(statement));
  }
}
