import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { CHECKS_BY_KIND, RESULTS_ROOT, type VerificationTarget } from '../functions/backup-verification/targets';
import { checkFleet } from './check-fleet';

export interface BackupVerificationFunctions {
  /** Runs one target's checks (functions/backup-verification). */
  readonly checkTarget: lambda.Function;
}

/**
 * The weekly backup verification (the plan's verify-backups.sh and test-backups.sh): every target of the
 * plan checked in parallel with bounded concurrency (`fleet.maxConcurrency`), one target per Lambda call, through
 * the shared fleet fragment (statemachines/check-fleet.ts): each target's results are written to the evidence bucket
 * under the run's prefix (the state carries counts), and a target whose checks crash becomes a FAIL result naming
 * the error, so one run gives one report covering every target.
 */
export function backupVerificationDefinition(
  scope: Construct,
  targets: VerificationTarget[],
  fns: BackupVerificationFunctions,
  maxConcurrency: number,
): sfn.IChainable {
  return checkFleet(scope, {
    checkFunction: fns.checkTarget,
    resultsRoot: RESULTS_ROOT,
    items: targets,
    itemField: 'target',
    maxConcurrency,
    checksByKind: CHECKS_BY_KIND,
    kindTitles: KIND_TITLE,
    names: { map: 'Check Each Target', task: 'Check Target', list: 'List Targets' },
    resultSelector: { 'stored.$': '$.Payload.stored' },
  });
}

const KIND_TITLE: Record<VerificationTarget['kind'], string> = {
  database: 'Database',
  backups: 'Backups Bucket',
  dump: 'Dump',
};
