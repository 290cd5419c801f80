import { createHash } from 'node:crypto';
/**
 * Takes state machine definitions out of a synthesized CloudFormation template, as AWS would run them:
 * every `Ref` / `Fn::GetAtt` token in `DefinitionString` (and `DefinitionSubstitutions`) becomes a stable
 * fake name or ARN derived from the referenced resource's type and logical id, so tests can seed the
 * account model with the very names the workflow will call.
 */

/** The account id every fake ARN uses. */
export const FAKE_ACCOUNT_ID = '123456789012';

/** A state machine definition as Amazon States Language JSON (JSONPath only). */
export type AslDefinition = Record<string, unknown> & { StartAt: string; States: Record<string, AslState> };

/** One state of a definition; only the fields the harness reads are typed. */
export type AslState = Record<string, unknown> & {
  Type: 'Task' | 'Parallel' | 'Map' | 'Pass' | 'Wait' | 'Choice' | 'Succeed' | 'Fail';
  Resource?: string;
};

/** What a resource's `Ref` and `Fn::GetAtt X.Arn` resolve to. */
export interface FakeResource {
  /** CloudFormation type, e.g. `AWS::Lambda::Function`. */
  readonly type: string;
  /** The resource's physical name: the literal name property when the template sets one, else derived from the logical id. */
  readonly name: string;
  /** What `Ref` returns for this type (a name, an ARN or a URL). */
  readonly ref: string;
  /** What `Fn::GetAtt X.Arn` returns. */
  readonly arn: string;
}

/** A state machine found in a template, with its definition resolved. */
export interface ResolvedStateMachine {
  readonly logicalId: string;
  /** The definition with every token resolved, validated by asl-validator. */
  readonly definition: AslDefinition;
  /** The fake name (`$$.StateMachine.Name`). */
  readonly name: string;
  /** The fake ARN (`$$.StateMachine.Id`). */
  readonly arn: string;
  /** The fake execution role ARN (`$$.Execution.RoleArn`), when the template names one. */
  readonly roleArn?: string;
}

/** Options shared by the template functions. */
export interface TemplateOptions {
  /** Region the stack deploys to (`AWS::Region`, and the region in fake ARNs).
   * @default - 'us-east-1' */
  readonly region?: string;
}

type CfnTemplate = { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** Property holding an explicit physical name, by resource type. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Events::Rule': 'Name',
  'AWS::Events::EventBus': 'Name',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SSM::Parameter': 'Name',
};

/**
 * The fake name and ARN of every resource in the template, by logical id. Seed the account model with
 * these (`names.EvidenceBucket1A2B3C4D.name`) so a workflow's calls hit what the test prepared.
 */
export function fakeResourceNames(
  template: Record<string, any>,
  options: TemplateOptions = {},
): Record<string, FakeResource> {
  const region = options.region ?? 'us-east-1';
  const out: Record<string, FakeResource> = {};
  for (const [logicalId, resource] of Object.entries((template as CfnTemplate).Resources ?? {})) {
    out[logicalId] = fakeResource(logicalId, resource.Type, explicitName(resource), region);
  }
  return out;
}

function explicitName(resource: { Type: string; Properties?: Record<string, unknown> }): string | undefined {
  const prop = NAME_PROPERTY[resource.Type];
  const value = prop ? resource.Properties?.[prop] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function fakeResource(logicalId: string, type: string, explicit: string | undefined, region: string): FakeResource {
  const a = FAKE_ACCOUNT_ID;
  const name = explicit ?? logicalId;
  switch (type) {
    case 'AWS::Lambda::Function':
      return { type, name, ref: name, arn: `arn:aws:lambda:${region}:${a}:function:${name}` };
    case 'AWS::SNS::Topic': {
      const arn = `arn:aws:sns:${region}:${a}:${name}`;
      return { type, name, ref: arn, arn };
    }
    case 'AWS::S3::Bucket': {
      // Bucket names are lower case; a logical id is not.
      const bucket = explicit ?? logicalId.toLowerCase();
      return { type, name: bucket, ref: bucket, arn: `arn:aws:s3:::${bucket}` };
    }
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable':
      return { type, name, ref: name, arn: `arn:aws:dynamodb:${region}:${a}:table/${name}` };
    case 'AWS::StepFunctions::StateMachine': {
      const arn = `arn:aws:states:${region}:${a}:stateMachine:${name}`;
      return { type, name, ref: arn, arn };
    }
    case 'AWS::IAM::Role':
      return { type, name, ref: name, arn: `arn:aws:iam::${a}:role/${name}` };
    case 'AWS::IAM::ManagedPolicy': {
      const arn = `arn:aws:iam::${a}:policy/${name}`;
      return { type, name, ref: arn, arn };
    }
    case 'AWS::KMS::Key':
      return { type, name, ref: name, arn: `arn:aws:kms:${region}:${a}:key/${name}` };
    case 'AWS::SQS::Queue':
      return {
        type,
        name,
        ref: `https://sqs.${region}.amazonaws.com/${a}/${name}`,
        arn: `arn:aws:sqs:${region}:${a}:${name}`,
      };
    case 'AWS::EC2::SecurityGroup': {
      // Ref and GroupId: a security group id, derived from the logical id so it is stable.
      const id = `sg-${createHash('sha256').update(logicalId).digest('hex').slice(0, 17)}`;
      return { type, name: id, ref: id, arn: `arn:aws:ec2:${region}:${a}:security-group/${id}` };
    }
    case 'AWS::RDS::DBSubnetGroup': {
      // RDS stores subnet group names in lower case.
      const lower = name.toLowerCase();
      return { type, name: lower, ref: lower, arn: `arn:aws:rds:${region}:${a}:subgrp:${lower}` };
    }
    case 'AWS::Logs::LogGroup':
      return { type, name, ref: name, arn: `arn:aws:logs:${region}:${a}:log-group:${name}:*` };
    case 'AWS::Events::Rule':
      return { type, name, ref: name, arn: `arn:aws:events:${region}:${a}:rule/${name}` };
    case 'AWS::Events::EventBus':
      return { type, name, ref: name, arn: `arn:aws:events:${region}:${a}:event-bus/${name}` };
    case 'AWS::SecretsManager::Secret': {
      const arn = `arn:aws:secretsmanager:${region}:${a}:secret:${name}-AbCdEf`;
      return { type, name, ref: arn, arn };
    }
    case 'AWS::SSM::Parameter':
      return { type, name, ref: name, arn: `arn:aws:ssm:${region}:${a}:parameter/${name}` };
    case 'AWS::ECS::Cluster': {
      // A cluster's Ref is its name; names are letters, digits, hyphens and underscores.
      const cluster = name.replace(/[^A-Za-z0-9_-]/g, '');
      return { type, name: cluster, ref: cluster, arn: `arn:aws:ecs:${region}:${a}:cluster/${cluster}` };
    }
    case 'AWS::EC2::Subnet': {
      const id = `subnet-${createHash('sha256').update(logicalId).digest('hex').slice(0, 17)}`;
      return { type, name: id, ref: id, arn: `arn:aws:ec2:${region}:${a}:subnet/${id}` };
    }
    default: {
      const service = (type.split('::')[1] ?? 'unknown').toLowerCase();
      return { type, name, ref: name, arn: `arn:aws:${service}:${region}:${a}:${name}` };
    }
  }
}

/** `Fn::GetAtt` attributes other than `Arn`, by type. */
function getAtt(res: FakeResource, attribute: string, region: string): string {
  if (attribute === 'Arn') return res.arn;
  switch (`${res.type}.${attribute}`) {
    case 'AWS::SNS::Topic.TopicArn':
    case 'AWS::SQS::Queue.Arn':
      return res.arn;
    case 'AWS::SNS::Topic.TopicName':
    case 'AWS::SQS::Queue.QueueName':
    case 'AWS::StepFunctions::StateMachine.Name':
    case 'AWS::IAM::Role.RoleId':
    case 'AWS::EC2::SecurityGroup.GroupId':
      return res.name;
    case 'AWS::SQS::Queue.QueueUrl':
      return res.ref;
    case 'AWS::S3::Bucket.DomainName':
      return `${res.name}.s3.amazonaws.com`;
    case 'AWS::S3::Bucket.RegionalDomainName':
      return `${res.name}.s3.${region}.amazonaws.com`;
    case 'AWS::KMS::Key.KeyId':
      return res.name;
    case 'AWS::DynamoDB::Table.StreamArn':
      return `${res.arn}/stream/2025-01-01T00:00:00.000`;
    case 'AWS::Lambda::Url.FunctionUrl':
      return `https://${res.name.toLowerCase()}.lambda-url.${region}.on.aws/`;
    default:
      throw new Error(
        `Fn::GetAtt ${attribute} of ${res.type} is not modelled by the workflow harness (test/support/workflow/template.ts)`,
      );
  }
}

const PSEUDO: Record<string, (region: string) => string> = {
  'AWS::Region': (region) => region,
  'AWS::AccountId': () => FAKE_ACCOUNT_ID,
  'AWS::Partition': () => 'aws',
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::StackName': () => 'S',
  'AWS::NoValue': () => '',
};

/** Resolves CloudFormation intrinsic functions in `value` to fake names/ARNs; throws on anything it cannot resolve faithfully. */
export function resolveIntrinsics(
  value: unknown,
  template: Record<string, any>,
  options: TemplateOptions = {},
): unknown {
  const region = options.region ?? 'us-east-1';
  const names = fakeResourceNames(template, options);
  const refOf = (id: string): string => {
    const pseudo = PSEUDO[id];
    if (pseudo) return pseudo(region);
    const res = names[id];
    if (!res) throw new Error(`Ref to ${id}: no such resource or pseudo parameter in the template`);
    return res.ref;
  };
  const attOf = (id: string, attribute: string): string => {
    const res = names[id];
    if (!res) throw new Error(`Fn::GetAtt ${id}.${attribute}: no such resource in the template`);
    return getAtt(res, attribute, region);
  };
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v === null || typeof v !== 'object') return v;
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      const [fn] = keys;
      const arg = obj[fn];
      switch (fn) {
        case 'Ref':
          return refOf(String(arg));
        case 'Fn::GetAtt': {
          const [id, ...rest] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
          return attOf(id, rest.join('.'));
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown[]];
          return (resolve(parts) as unknown[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          return (resolve(list) as unknown[])[Number(resolve(index))];
        }
        case 'Fn::Split': {
          const [sep, str] = arg as [string, unknown];
          return String(resolve(str)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
          const resolvedVars = Object.fromEntries(Object.entries(vars ?? {}).map(([k, x]) => [k, String(resolve(x))]));
          return text.replace(/\$\{([^}!]+)\}/g, (_m, key: string) => {
            if (key in resolvedVars) return resolvedVars[key];
            const dot = key.indexOf('.');
            return dot > 0 && !key.startsWith('AWS::') ? attOf(key.slice(0, dot), key.slice(dot + 1)) : refOf(key);
          });
        }
        default:
          throw new Error(`${fn} is not supported by the workflow harness: ${JSON.stringify(obj).slice(0, 200)}`);
      }
    }
    return Object.fromEntries(keys.map((k) => [k, resolve(obj[k])]));
  };
  return resolve(value);
}

type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
// asl-validator ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator: AslValidator = require('asl-validator');

/** Definitions already found valid, by their JSON text (asl-validator takes about 0.4 s a call). */
const validDefinitions = new Set<string>();

/** Throws, listing asl-validator's errors, unless `definition` is valid Amazon States Language. */
export function validateAsl(definition: unknown, label = 'state machine'): asserts definition is AslDefinition {
  const text = JSON.stringify(definition);
  if (validDefinitions.has(text)) return;
  // asl-validator writes a default QueryLanguage into every state it reads: give it a copy.
  const { isValid, errorsText } = aslValidator(JSON.parse(text), { checkPaths: true, checkArn: true });
  if (!isValid) throw new Error(`Invalid Amazon States Language in ${label}:\n  ${errorsText('\n  ')}`);
  validDefinitions.add(text);
}

/**
 * Every `AWS::StepFunctions::StateMachine` in the template, keyed by logical id, with its definition
 * resolved (tokens → fake names/ARNs, `DefinitionSubstitutions` applied) and validated.
 */
export function stateMachineDefinitions(
  template: Record<string, any>,
  options: TemplateOptions = {},
): Record<string, ResolvedStateMachine> {
  const region = options.region ?? 'us-east-1';
  const names = fakeResourceNames(template, options);
  const out: Record<string, ResolvedStateMachine> = {};
  for (const [logicalId, resource] of Object.entries((template as CfnTemplate).Resources ?? {})) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const props = resource.Properties ?? {};
    let text: string;
    if (props.DefinitionString !== undefined) {
      text = String(resolveIntrinsics(props.DefinitionString, template, { region }));
    } else if (props.Definition !== undefined) {
      text = JSON.stringify(resolveIntrinsics(props.Definition, template, { region }));
    } else {
      throw new Error(
        `State machine ${logicalId} has neither DefinitionString nor Definition (DefinitionS3Location is not supported)`,
      );
    }
    const substitutions = (resolveIntrinsics(props.DefinitionSubstitutions ?? {}, template, { region }) ??
      {}) as Record<string, unknown>;
    text = text.replace(/\$\{([^}]+)\}/g, (match, key: string) =>
      key in substitutions ? String(substitutions[key]) : match,
    );
    let definition: unknown;
    try {
      definition = JSON.parse(text);
    } catch (err) {
      throw new Error(
        `State machine ${logicalId}: the resolved definition is not JSON (${(err as Error).message}): ${text.slice(0, 300)}`,
      );
    }
    validateAsl(definition, `state machine ${logicalId}`);
    const roleArn =
      props.RoleArn === undefined ? undefined : String(resolveIntrinsics(props.RoleArn, template, { region }));
    out[logicalId] = { logicalId, definition, name: names[logicalId].name, arn: names[logicalId].arn, roleArn };
  }
  return out;
}

/**
 * The one state machine whose logical id starts with `logicalIdPrefix` (the construct path without the
 * hash, e.g. `RestoreTestStateMachine`); throws when none or several match.
 */
export function stateMachineDefinition(
  template: Record<string, any>,
  logicalIdPrefix: string,
  options: TemplateOptions = {},
): ResolvedStateMachine {
  const all = stateMachineDefinitions(template, options);
  const matches = Object.keys(all).filter((id) => id.startsWith(logicalIdPrefix));
  const exact = matches.filter(
    (id) => id === logicalIdPrefix || /^[0-9A-F]{8}$/.test(id.slice(logicalIdPrefix.length)),
  );
  const chosen = exact.length === 1 ? exact : matches;
  if (chosen.length !== 1) {
    throw new Error(
      `Expected exactly one state machine whose logical id starts with "${logicalIdPrefix}", found ${chosen.length}` +
        ` (state machines in the template: ${Object.keys(all).join(', ') || 'none'})`,
    );
  }
  return all[chosen[0]];
}
