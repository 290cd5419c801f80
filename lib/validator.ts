import { Duration, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ArnFormat } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { DrFunction } from './dr-function';
import { acknowledgeWildcards } from './nag';
import type { DrPlan } from './plan';

/** Entry of the validator Lambda; its event is `ValidateEvent` (functions/validator/run-validation.ts). */
export const VALIDATOR_ENTRY = 'functions/validator/handler.ts';

export interface DatabaseValidatorProps {
  /** The validated DR plan (its queries, timeouts and required tables are compiled into the bundle). */
  readonly plan: DrPlan;
  /** VPC the validator runs in to reach the databases it checks.
   * @default - no VPC (only for databases reachable from Lambda's own network) */
  readonly vpc?: ec2.IVpc;
  /** Subnets for the validator's network interfaces.
   * @default - the VPC's private subnets */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Security groups the databases admit on their port.
   * @default - one new group allowing all outbound traffic */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** Function timeout; the validator stops starting queries before it.
   * @default - the plan's Lambda task timeout */
  readonly timeout?: Duration;
}

/**
 * The database validator: one Lambda that connects to a restored or promoted database with TLS verify-full (RDS CA
 * bundle) and an IAM token as `dr_validator`, runs the plan's read-only checks and returns `{ results }`.
 * Event: `{ target, host, port, database, user, referenceTime }`. It may connect as nobody until `allowConnect`.
 */
export class DatabaseValidator extends Construct {
  /** The validator Lambda; a workflow invokes it with a `ValidateEvent`. */
  public readonly function: DrFunction;

  constructor(scope: Construct, id: string, props: DatabaseValidatorProps) {
    super(scope, id);
    const { plan } = props;
    const longestQueries =
      (plan.backups.validationQueries.length + 1) * plan.backups.validation.statementTimeoutSeconds;
    this.function = new DrFunction(this, 'Function', {
      plan,
      entry: VALIDATOR_ENTRY,
      description:
        'Database validator: read-only SQL checks of a restored or promoted database, as dr_validator over TLS',
      serviceName: 'database-validator',
      connectsToDatabase: true,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      // Enough for every query at its statement timeout, within Lambda's 15 minutes; the deadline does the rest.
      timeout:
        props.timeout ??
        Duration.seconds(
          Math.min(
            900,
            Math.max(
              plan.timeouts.lambdaTaskSeconds,
              longestQueries + plan.backups.validation.connectTimeoutSeconds + 10,
            ),
          ),
        ),
    });
  }

  /**
   * Lets the validator connect (`rds-db:connect`) as exactly the database users named, e.g.
   * `dbUserArn(this, 'db-ABCDEFGHIJKL', 'dr_validator')`. A wildcard (a restored instance's resource id is not
   * known before it exists) needs `wildcardReason`, which acknowledges cdk-nag's finding for that ARN only.
   */
  public allowConnect(
    dbUserArns: readonly string[],
    conditions?: Record<string, Record<string, unknown>>,
    wildcardReason?: string,
  ): void {
    if (dbUserArns.length === 0) throw new Error('DatabaseValidator.allowConnect: name at least one database user ARN');
    const wildcards = dbUserArns.filter((arn) => arn.includes('*'));
    if (wildcards.length > 0 && !wildcardReason)
      throw new Error(
        `DatabaseValidator.allowConnect: ${wildcards.join(', ')} contain a wildcard: pass wildcardReason saying why it is needed`,
      );
    this.function.allow({ actions: ['rds-db:connect'], resources: [...dbUserArns], conditions });
    if (wildcards.length > 0 && wildcardReason)
      acknowledgeWildcards(this.function.role, { resources: wildcards }, wildcardReason);
  }
}

/** ARN of a database user for `rds-db:connect`: `arn:…:rds-db:region:account:dbuser:<DbiResourceId>/<user>`. */
export function dbUserArn(scope: Construct, dbiResourceId: string, user: string, region?: string): string {
  return Stack.of(scope).formatArn({
    service: 'rds-db',
    region,
    resource: 'dbuser',
    resourceName: `${dbiResourceId}/${user}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
