/**
 * S3 Control's account-level public access block (Amazon S3 API Reference, S3 Control GetPublicAccessBlock):
 * `AccountId` must be the caller's account; an account with none answers 404
 * `NoSuchPublicAccessBlockConfiguration`. The setting is global to the account (any region answers it).
 */
import { ServiceFault } from './errors';
import type { Ctx } from './services';

type Block = {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
};

/** S3 Control, account settings only. */
export class S3ControlModel {
  /** The account's block; none until a test sets one. */
  accountPublicAccessBlock: Block | undefined;

  GetPublicAccessBlock(ctx: Ctx, input: Record<string, unknown>): unknown {
    if (input.AccountId !== ctx.account) {
      throw new ServiceFault('AccessDenied', `Access Denied for account ${String(input.AccountId)}`, 403, false);
    }
    if (!this.accountPublicAccessBlock) {
      throw new ServiceFault(
        'NoSuchPublicAccessBlockConfiguration',
        'The public access block configuration was not found',
        404,
      );
    }
    return { PublicAccessBlockConfiguration: { ...this.accountPublicAccessBlock } };
  }
}
