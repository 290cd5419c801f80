/**
 * The point-in-time recovery's input, checked before any AWS call — by the workflow's first step and by
 * `entmoot-dr pitr start` alike, with the same function. Each refusal is one `InvalidInputError` line naming the
 * field and the fix; the operator's reason is never echoed (it may hold anything).
 */
import type { DrPlan } from '../../lib/plan';
import { InvalidInputError } from '../shared/errors';
import { resourceName } from '../shared/naming';
import { DAY_MS } from '../shared/time';

/** How a recovery was started. */
export const TRIGGER_KINDS = ['console', 'cli', 'alarm'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

/** Longest reason accepted, in characters. */
export const MAX_REASON_CHARS = 500;

/** The input keys a recovery accepts (Step Functions adds the last one when a parent run starts it). */
const INPUT_KEYS = [
  'sourceDbInstanceId',
  'targetTime',
  'useLatestRestorableTime',
  'reason',
  'targetDbInstanceId',
  'trigger',
  'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID',
];
const TRIGGER_KEYS = ['kind', 'alarmName', 'stateChangeTime'];
/** `YYYY-MM-DDTHH:MM:SS[.sss]Z`: UTC, to the second or millisecond, as RDS's RestoreTime takes it. */
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/;
/** An RDS instance identifier: 1-63 letters, digits and single hyphens, starting with a letter, no hyphen at the end. */
const RDS_ID = /^[A-Za-z](?:-?[A-Za-z0-9])*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A recovery's trigger, as the evidence records it. */
export interface PitrTrigger {
  readonly kind: TriggerKind;
  readonly alarmName?: string;
  readonly stateChangeTime?: string;
}

/** The checked request. */
export interface PitrRequest {
  readonly source: string;
  /** The requested instant (normalized ISO), or undefined with `useLatest`. */
  readonly targetTime?: string;
  readonly useLatest: boolean;
  readonly reason: string;
  /** The copy's identifier: the one given, or `<prefix>-pitr-<source>-<yyyymmddhhmm>` of `now`. */
  readonly targetId: string;
  readonly trigger: PitrTrigger;
}

const fail = (message: string): never => {
  throw new InvalidInputError(message);
};

const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** The instant an ISO UTC text names, or undefined when it is malformed or not a real time (2025-02-30). */
export function parseIsoUtc(text: string): Date | undefined {
  const m = ISO_UTC.exec(text);
  if (!m) return undefined;
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const real =
    at.getUTCFullYear() === y &&
    at.getUTCMonth() + 1 === mo &&
    at.getUTCDate() === d &&
    at.getUTCHours() === h &&
    at.getUTCMinutes() === mi &&
    at.getUTCSeconds() === s;
  return real ? at : undefined;
}

function checkTrigger(value: unknown): PitrTrigger {
  if (value === undefined) return { kind: 'console' };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`input.trigger must be an object such as {"kind": "cli"} (got ${shown(value)})`);
  const t = value as Record<string, unknown>;
  const unknown = Object.keys(t).filter((k) => !TRIGGER_KEYS.includes(k));
  if (unknown.length > 0)
    fail(`input.trigger has unknown key ${unknown.join(', ')}: expected ${TRIGGER_KEYS.join(', ')}`);
  if (!TRIGGER_KINDS.includes(t.kind as TriggerKind))
    fail(`input.trigger.kind must be one of ${TRIGGER_KINDS.join(', ')} (got ${shown(t.kind)})`);
  const kind = t.kind as TriggerKind;
  if (kind !== 'alarm') {
    if (t.alarmName !== undefined || t.stateChangeTime !== undefined)
      fail(`input.trigger.alarmName and stateChangeTime belong to kind alarm, not ${kind}`);
    return { kind };
  }
  if (
    typeof t.alarmName !== 'string' ||
    t.alarmName.trim() === '' ||
    t.alarmName.length > 255 ||
    CONTROL.test(t.alarmName)
  )
    fail(
      `input.trigger.alarmName must name the CloudWatch alarm (1-255 characters) when kind is alarm (got ${shown(t.alarmName)})`,
    );
  if (typeof t.stateChangeTime !== 'string' || Number.isNaN(Date.parse(t.stateChangeTime)))
    fail(
      `input.trigger.stateChangeTime must be the alarm's state change time (ISO 8601) when kind is alarm (got ${shown(t.stateChangeTime)})`,
    );
  return { kind, alarmName: t.alarmName as string, stateChangeTime: t.stateChangeTime as string };
}

/** Every instance id of the plan: sources, replicas and DR replicas. */
function planInstanceIds(plan: Pick<DrPlan, 'databases'>): string[] {
  return plan.databases.flatMap((d) => [d.id, d.replica, d.drReplica].filter((x): x is string => !!x));
}

/**
 * Checks a recovery's input against the plan at `now` (the run's start): see the module comment. Throws
 * `InvalidInputError` on the first problem.
 */
export function checkPitrInput(
  input: unknown,
  plan: Pick<DrPlan, 'databases' | 'backups' | 'system'>,
  now: Date,
): PitrRequest {
  const example = `{"sourceDbInstanceId": "${plan.databases[0]?.id ?? 'a database id of the plan'}", "targetTime": "2025-11-10T12:00:00Z", "reason": "..."}`;
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    fail(`input must be an object such as ${example}`);
  const i = input as Record<string, unknown>;
  const unknown = Object.keys(i).filter((k) => !INPUT_KEYS.includes(k));
  if (unknown.length > 0)
    fail(`input has unknown key ${unknown.join(', ')}: expected ${INPUT_KEYS.slice(0, -1).join(', ')}`);

  const source = i.sourceDbInstanceId;
  if (source === undefined)
    fail(`input.sourceDbInstanceId is required: the plan's database to recover, as in ${example}`);
  if (typeof source !== 'string') fail(`input.sourceDbInstanceId must be a string (got ${shown(source)})`);
  const db = plan.databases.find((d) => d.id === source);
  if (!db)
    fail(
      `input.sourceDbInstanceId ${shown(source)} is not one of the plan's databases (${plan.databases
        .slice(0, 5)
        .map((d) => d.id)
        .join(', ')}${plan.databases.length > 5 ? ', …' : ''})`,
    );

  const hasTime = i.targetTime !== undefined;
  const hasLatest = i.useLatestRestorableTime !== undefined;
  if (hasTime === hasLatest)
    fail(
      hasTime
        ? 'give either input.targetTime or input.useLatestRestorableTime, not both'
        : 'give input.targetTime (the last known-good instant, UTC) or input.useLatestRestorableTime: true',
    );
  if (hasLatest && i.useLatestRestorableTime !== true)
    fail(
      `input.useLatestRestorableTime may only be true (got ${shown(i.useLatestRestorableTime)}): or give input.targetTime`,
    );
  let targetTime: string | undefined;
  if (hasTime) {
    const text = i.targetTime;
    if (typeof text !== 'string' || !ISO_UTC.test(text))
      fail(
        `input.targetTime must be YYYY-MM-DDTHH:MM:SS[.sss]Z in UTC, such as 2025-11-10T12:00:00Z (got ${shown(text)})`,
      );
    const at = parseIsoUtc(text as string);
    if (!at) fail(`input.targetTime ${text} is not a real instant (check the day of the month and the hour)`);
    const when = at as Date;
    if (when.getTime() > now.getTime())
      fail(`input.targetTime ${text} is in the future (now is ${now.toISOString()}): give the last known-good instant`);
    const earliest = new Date(now.getTime() - plan.backups.pitrWindowDays * DAY_MS);
    if (when < earliest)
      fail(
        `input.targetTime ${text} is more than backups.pitrWindowDays (${plan.backups.pitrWindowDays}) days ago (before ${earliest.toISOString()}): restore a snapshot instead`,
      );
    targetTime = when.toISOString();
  }

  const reason = i.reason;
  if (typeof reason !== 'string' || reason.trim() === '')
    fail('input.reason is required: one line saying why the recovery is run (it goes into the evidence)');
  const why = reason as string;
  if (why.length > MAX_REASON_CHARS)
    fail(`input.reason is ${why.length} characters: at most ${MAX_REASON_CHARS}; link a ticket for more`);
  if (CONTROL.test(why)) fail('input.reason must be one line of text without control characters (newlines, tabs)');

  const prefix = `${plan.system.namePrefix}-pitr-`;
  let targetId = resourceName(plan.system.namePrefix, 'pitr', source as string, now);
  if (i.targetDbInstanceId !== undefined) {
    const target = i.targetDbInstanceId;
    if (typeof target !== 'string' || target.length > 63 || !RDS_ID.test(target))
      fail(
        `input.targetDbInstanceId must be an RDS instance identifier: 1-63 letters, digits and single hyphens, starting with a letter (got ${shown(target)})`,
      );
    if (!(target as string).startsWith(prefix))
      fail(
        `input.targetDbInstanceId must start with ${prefix} (the only names the recovery may create; got ${shown(target)})`,
      );
    if (planInstanceIds(plan).includes(target as string))
      fail(`input.targetDbInstanceId ${target} is an instance of the plan: the recovery never writes over one`);
    targetId = target as string;
  }
  return {
    source: source as string,
    ...(targetTime ? { targetTime } : {}),
    useLatest: hasLatest,
    reason: why.trim(),
    targetId,
    trigger: checkTrigger(i.trigger),
  };
}
