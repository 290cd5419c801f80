/**
 * Measures a synthesized template against the AWS limits a fleet hits (DESIGN §9): resources per stack, template
 * bytes, IAM policy characters per role (inline total, each managed policy, managed policies per role) and state
 * machine definition bytes. Intrinsics are resolved the way the deployed text would read, with a reference to
 * another resource counted as a 128-character ARN (longer than any ARN this app makes), so a size here is an
 * upper bound of what IAM and Step Functions will count.
 */

/** CloudFormation: resources per stack. */
export const MAX_RESOURCES = 500;
/** Where CDK starts warning about the template size: 80 % of CloudFormation's 1,000,000-byte limit (via S3). */
export const TEMPLATE_WARN_BYTES = 800_000;
/** IAM: inline policies of one role, in total, in characters without whitespace. */
export const MAX_ROLE_INLINE_CHARS = 10_240;
/** IAM: one customer-managed policy. */
export const MAX_MANAGED_POLICY_CHARS = 6_144;
/** IAM: managed policies attached to one role (the default quota). */
export const MAX_MANAGED_POLICIES_PER_ROLE = 10;
/** Step Functions: state machine definition. */
export const MAX_DEFINITION_BYTES = 1_048_576;
/** Lambda: a function's environment variables, names and values together. */
export const MAX_LAMBDA_ENVIRONMENT_BYTES = 4_096;

const REFERENCE_PLACEHOLDER = 'x'.repeat(128);

type Resource = { Type: string; Properties?: Record<string, any> };
/** A synthesized template (`Template.toJSON()`). */
type Template = { [key: string]: any };
const resourcesOf = (template: Template) => Object.entries((template.Resources ?? {}) as Record<string, Resource>);

/** The deployed text of a template value: pseudo parameters and references resolved to realistic strings. */
export function resolveText(value: unknown, pseudo: { region: string; account: string }): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveText(v, pseudo));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    if (key === 'Ref') {
      if (arg === 'AWS::Partition') return 'aws';
      if (arg === 'AWS::Region') return pseudo.region;
      if (arg === 'AWS::AccountId') return pseudo.account;
      if (arg === 'AWS::URLSuffix') return 'amazonaws.com';
      return REFERENCE_PLACEHOLDER;
    }
    if (key === 'Fn::GetAtt' || key === 'Fn::ImportValue') return REFERENCE_PLACEHOLDER;
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return (resolveText(parts, pseudo) as unknown[]).map(String).join(separator);
    }
    if (key === 'Fn::Sub')
      return String(Array.isArray(arg) ? arg[0] : arg).replace(/\$\{[^}]+\}/g, REFERENCE_PLACEHOLDER);
    if (key === 'Fn::Select' || key === 'Fn::Split' || key === 'Fn::GetAZs') return REFERENCE_PLACEHOLDER;
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveText(v, pseudo)]));
}

/** Characters IAM counts for a policy document (no whitespace). */
export function policyChars(document: unknown, pseudo: { region: string; account: string }): number {
  return JSON.stringify(resolveText(document, pseudo)).length;
}

/** One role's IAM footprint. */
export interface RoleFootprint {
  readonly role: string;
  readonly inlineChars: number;
  readonly managedPolicies: number;
  readonly largestManagedChars: number;
}

function refsTo(list: unknown): string[] {
  return Array.isArray(list)
    ? list.flatMap((r) => (r && typeof r === 'object' && 'Ref' in r ? [String((r as { Ref: string }).Ref)] : []))
    : [];
}

/** Every role of the template with its inline total, managed policy count and largest managed policy. */
export function roleFootprints(template: Template, pseudo: { region: string; account: string }): RoleFootprint[] {
  const resources = resourcesOf(template);
  return resources
    .filter(([, r]) => r.Type === 'AWS::IAM::Role')
    .map(([id, role]) => {
      const props = role.Properties ?? {};
      let inline = ((props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).reduce(
        (sum, p) => sum + policyChars(p.PolicyDocument, pseudo),
        0,
      );
      let managed = ((props.ManagedPolicyArns as unknown[] | undefined) ?? []).length;
      let largest = 0;
      for (const [, r] of resources) {
        if (!refsTo(r.Properties?.Roles).includes(id)) continue;
        const chars = policyChars(r.Properties?.PolicyDocument, pseudo);
        if (r.Type === 'AWS::IAM::Policy') inline += chars;
        if (r.Type === 'AWS::IAM::ManagedPolicy') {
          managed += 1;
          largest = Math.max(largest, chars);
        }
      }
      return { role: id, inlineChars: inline, managedPolicies: managed, largestManagedChars: largest };
    });
}

/** Bytes of each state machine's definition, as deployed. */
export function definitionBytes(
  template: Template,
  pseudo: { region: string; account: string },
): { stateMachine: string; bytes: number }[] {
  return resourcesOf(template)
    .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map(([id, r]) => {
      const text = resolveText(r.Properties?.DefinitionString, pseudo);
      return { stateMachine: id, bytes: Buffer.byteLength(String(text)) };
    });
}

/** Bytes of the template as CloudFormation receives it. */
export function templateBytes(template: Template): number {
  return Buffer.byteLength(JSON.stringify(template));
}

/**
 * Each Lambda function's environment as Lambda counts it against its 4 KB: the bytes of every variable's name and
 * deployed value (references counted as 128-character ARNs, an upper bound).
 */
export function environmentBytes(
  template: Template,
  pseudo: { region: string; account: string },
): { fn: string; bytes: number }[] {
  return resourcesOf(template)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([fn, r]) => {
      const variables = resolveText(r.Properties?.Environment?.Variables ?? {}, pseudo) as Record<string, unknown>;
      const bytes = Object.entries(variables).reduce(
        (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(String(value)),
        0,
      );
      return { fn, bytes };
    });
}
