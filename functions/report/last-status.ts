/**
 * The `onChange` notification policy: `state/<workflow>/last-status.json` in the evidence bucket holds the last
 * run's outcome and every non-PASS `check|target → status`; a run notifies when either changed, and names the
 * changes first. The record is replaced by compare-and-swap (S3 conditional writes): read it with its ETag, write
 * with `If-Match` (or `If-None-Match: *` when there is none); a 412 `PreconditionFailed` or 409
 * `ConditionalRequestConflict` means another run wrote in between, so it is read again and the change recomputed
 * against what that run left. A change is therefore announced by exactly one run: the one whose swap made it.
 */
import { type CheckResult, type CheckStatus, worstStatus } from '../shared/check-result';
import { ERROR_NAMES, ThrottledError, translateAwsError } from '../shared/errors';
import { isConditionalConflict, isPreconditionFailed } from '../shared/s3-errors';
import { lastStatusKey, type EvidenceRecord, type RunOutcome, type StatusChange } from './evidence';

/** Attempts of the swap before the report gives up with `ThrottledError` (the workflow's retry tries again). */
export const SWAP_ATTEMPTS = 5;

/** What `state/<workflow>/last-status.json` holds. */
export interface LastStatus {
  readonly schema: 'entmoot-dr/last-status@1';
  /** How the last run ended, and the name of its error when it failed with one other than a check's FAIL. */
  readonly outcome: RunOutcome;
  readonly error?: string;
  /** Every non-PASS result of the last run that checked: `check|target` → status. */
  readonly findings: Record<string, CheckStatus>;
  /** The run that wrote this record, and what it decided: a retried report step reuses the decision. */
  readonly execution: string;
  readonly notify: boolean;
  readonly changes: readonly StatusChange[];
}

/** A record written before this one existed (`{ status, execution }`): a run-level status only. */
interface LegacyStatus {
  readonly status: CheckStatus;
}

/** An object's text and its ETag, as the swap reads it. */
export interface VersionedText {
  readonly body: string;
  readonly etag: string;
}

/** What the swap needs from the evidence bucket. */
export interface LastStatusDeps {
  /** The object's text and ETag, or undefined when there is none. */
  readonly getObjectVersion: (key: string) => Promise<VersionedText | undefined>;
  /** `ifMatch`: 412 unless the object still has that ETag; `ifNoneMatch`: 412 if the object exists. */
  readonly putObject: (
    key: string,
    body: string,
    options?: { ifNoneMatch?: boolean; ifMatch?: string },
  ) => Promise<void>;
  readonly bucket: string;
}

const SEPARATOR = '|';

/** Every non-PASS result as `check|target` → status (the worst, should a check report a target twice). */
export function findingsOf(results: readonly CheckResult[]): Record<string, CheckStatus> {
  const findings: Record<string, CheckStatus> = {};
  for (const r of results) {
    if (r.status === 'PASS') continue;
    const key = `${r.check}${SEPARATOR}${r.target}`;
    findings[key] = worstStatus([{ status: findings[key] ?? 'PASS' }, r]);
  }
  return findings;
}

/** The changes from one findings map to the next, in key order; a finding that disappeared went to PASS. */
export function changesBetween(
  before: Readonly<Record<string, CheckStatus>>,
  after: Readonly<Record<string, CheckStatus>>,
): StatusChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((key) => {
    const from = before[key] ?? 'PASS';
    const to = after[key] ?? 'PASS';
    if (from === to) return [];
    const at = key.indexOf(SEPARATOR);
    return [{ check: key.slice(0, at), target: key.slice(at + 1), from, to }];
  });
}

/** The record's text read back: the current shape, a legacy run-level status, or undefined for none. */
function parse(text: string | undefined): LastStatus | LegacyStatus | undefined {
  if (text === undefined) return undefined;
  const parsed = JSON.parse(text) as Partial<LastStatus> & Partial<LegacyStatus>;
  if (parsed.schema === 'entmoot-dr/last-status@1') return parsed as LastStatus;
  if (parsed.status === 'PASS' || parsed.status === 'WARN' || parsed.status === 'FAIL')
    return { status: parsed.status };
  return undefined;
}

/** The name a run-level outcome records: a check's FAIL is in the findings, any other error is the run's own. */
function runError(record: Pick<EvidenceRecord, 'error'>): string | undefined {
  const name = record.error?.name;
  return name === ERROR_NAMES.checkFailed ? undefined : name;
}

/** What a swap decided. */
export interface SwapDecision {
  readonly notify: boolean;
  readonly changes: readonly StatusChange[];
  /** The record was this execution's already (a retried step): the decision is the one made then. */
  readonly repeated: boolean;
}

/**
 * The next record and the decision, from what the last run left. A run that ended with an error of its own
 * (throttled, timed out) checked nothing reliably: it swaps the outcome only and keeps the findings, so the next
 * complete run compares with the last complete one. A first run notifies when anything is not PASS; a legacy
 * record compares run-level statuses, as the policy did before findings were kept.
 */
export function nextStatus(
  previous: LastStatus | LegacyStatus | undefined,
  record: Pick<EvidenceRecord, 'outcome' | 'status' | 'error' | 'results'>,
  execution: string,
): LastStatus {
  const error = runError(record);
  const keepFindings = error !== undefined;
  const before = previous && 'findings' in previous ? previous.findings : {};
  const findings = keepFindings ? before : findingsOf(record.results);
  const changes = changesBetween(before, findings);
  let notify: boolean;
  if (previous === undefined) notify = record.outcome !== 'SUCCEEDED' || Object.keys(findings).length > 0;
  else if (!('findings' in previous)) notify = previous.status !== record.status;
  else notify = changes.length > 0 || previous.outcome !== record.outcome || previous.error !== error;
  return {
    schema: 'entmoot-dr/last-status@1',
    outcome: record.outcome,
    ...(error ? { error } : {}),
    findings,
    execution,
    notify,
    changes,
  };
}

/**
 * Replaces the workflow's last status by compare-and-swap and returns what the swap decided. A report step
 * retried after its swap finds its own execution's record and reuses that decision, so a retry neither loses
 * nor repeats the announcement. `decide` computes the next record from the previous one (see `nextStatus`;
 * the status-change reporter passes an outcome-only variant).
 */
export async function swapLastStatus(
  workflow: string,
  execution: string,
  decide: (previous: LastStatus | LegacyStatus | undefined) => LastStatus,
  deps: LastStatusDeps,
): Promise<SwapDecision> {
  const key = lastStatusKey(workflow);
  for (let attempt = 1; attempt <= SWAP_ATTEMPTS; attempt += 1) {
    const current = await deps.getObjectVersion(key);
    const previous = parse(current?.body);
    if (previous && 'execution' in previous && previous.execution === execution) {
      return { notify: previous.notify, changes: previous.changes, repeated: true };
    }
    const next = decide(previous);
    try {
      await deps.putObject(key, JSON.stringify(next), current ? { ifMatch: current.etag } : { ifNoneMatch: true });
      return { notify: next.notify, changes: next.changes, repeated: false };
    } catch (error) {
      if (isPreconditionFailed(error) || isConditionalConflict(error)) continue;
      translateAwsError(error, 's3:PutObject', `s3://${deps.bucket}/${key}`);
    }
  }
  throw new ThrottledError(
    `s3://${deps.bucket}/${key} was replaced by other runs ${SWAP_ATTEMPTS} times while this run compared with it: the report step retries`,
  );
}

/** The outcome-only swap of a run that ended outside its report step: its findings are the last complete run's. */
export function outcomeOnly(
  previous: LastStatus | LegacyStatus | undefined,
  outcome: RunOutcome,
  error: string | undefined,
  execution: string,
): LastStatus {
  const findings = previous && 'findings' in previous ? previous.findings : {};
  let notify: boolean;
  if (previous === undefined) notify = true;
  else if (!('findings' in previous)) notify = previous.status !== 'FAIL';
  else notify = previous.outcome !== outcome || previous.error !== error;
  return {
    schema: 'entmoot-dr/last-status@1',
    outcome,
    ...(error ? { error } : {}),
    findings,
    execution,
    notify,
    changes: [],
  };
}
