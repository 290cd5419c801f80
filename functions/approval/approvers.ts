/**
 * Who is calling, and which of the plan's approvers that is. A function URL with `AWS_IAM` auth passes the
 * signer as `requestContext.authorizer.iam.userArn` (payload format 2.0): for a role session that is the STS
 * form `arn:aws:sts::ACCOUNT:assumed-role/ROLE-NAME/SESSION-NAME`, which carries no IAM path; for an IAM user,
 * the user's ARN (`arn:aws:iam::ACCOUNT:user/PATH/NAME`).
 */
import type { DrPlan } from '../../lib/plan';

/** The plan approver a caller is, with the caller's own ARN and session name. */
export interface ApproverIdentity {
  /** The plan's approver ARN (a role or user). */
  readonly approverArn: string;
  readonly role: 'manager' | 'director';
  /** The ARN the caller signed as. */
  readonly callerArn: string;
  /** The role session name (who assumed the role); undefined for an IAM user. */
  readonly session?: string;
}

const IAM_ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;
const IAM_USER = /^arn:aws[a-z-]*:iam::\d{12}:user\//;
const ASSUMED_ROLE = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/([^/]+)$/;

/**
 * The plan approver `callerArn` proves to be, or undefined. A plan role `arn:aws:iam::A:role/[path/]NAME`
 * matches `arn:aws:sts::A:assumed-role/NAME/SESSION`; a plan user ARN matches only itself.
 */
export function approverFor(callerArn: string | undefined, plan: DrPlan): ApproverIdentity | undefined {
  if (!callerArn) return undefined;
  const assumed = ASSUMED_ROLE.exec(callerArn);
  for (const approver of plan.approvers) {
    const role = IAM_ROLE.exec(approver.arn);
    if (role && assumed) {
      const [, partition, account, name] = role;
      if (assumed[1] === partition && assumed[2] === account && assumed[3] === name) {
        return { approverArn: approver.arn, role: approver.role, callerArn, session: assumed[4] };
      }
    } else if (IAM_USER.test(approver.arn) && approver.arn === callerArn) {
      return { approverArn: approver.arn, role: approver.role, callerArn };
    }
  }
  return undefined;
}
