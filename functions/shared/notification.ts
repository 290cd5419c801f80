/**
 * Renders the plan's Outage Notification Template (Communication Plan) for e-mail, and its AWS Chatbot
 * custom-notification variant for Slack; both go out in one SNS message with `MessageStructure=json`.
 */
import type { Priority } from '../../lib/plan';
import { shortHash } from './naming';
import { failuresFirst, worstStatus, type CheckResult, type CheckStatus } from './check-result';

/** SEVERITY of the template, plus INFO for an all-PASS report. */
export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'INFO';

/** IN_PROGRESS / COMPLETE / PENDING, as the template's CURRENT STATUS block uses them. */
export type Progress = 'IN_PROGRESS' | 'COMPLETE' | 'PENDING';

/** Everything the template needs. */
export interface NotificationInput {
  /** E.g. `EDR-20251110-3f9a`; see `incidentId`. */
  readonly incidentId: string;
  readonly severity: Severity;
  /** One line: what ran and how it ended, e.g. "Weekly backup verification: 2 failed". */
  readonly headline: string;
  readonly affectedService: string;
  readonly startTime: Date;
  /** E.g. "30 minutes (RTO)"; "n/a" when nothing is down. */
  readonly estimatedDuration: string;
  readonly description: string;
  readonly impacts: readonly string[];
  readonly status: { readonly investigation: Progress; readonly mitigation: Progress; readonly resolution: Progress };
  /** When the next update is due; none when the report is final. */
  readonly nextUpdate?: Date;
  readonly contact: string;
  /** Where the evidence record is, e.g. `s3://bucket/key`. */
  readonly evidence?: string;
}

/** A rendered notification: SNS subject, e-mail text, Chatbot JSON and the SNS message that carries both. */
export interface RenderedNotification {
  /** At most 100 printable ASCII characters (the SNS limit). */
  readonly subject: string;
  readonly text: string;
  readonly chatbot: ChatbotNotification;
  /** `Message` for SNS Publish with `MessageStructure=json`. */
  readonly snsMessage: string;
}

/** AWS Chatbot custom notification (schema version 1.0). */
export interface ChatbotNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps?: string[];
    readonly keywords?: string[];
  };
  readonly metadata: { readonly threadId: string; readonly summary: string; readonly eventType: string };
}

const SEVERITY_OF_PRIORITY: Record<Priority, Severity> = { Critical: 'CRITICAL', High: 'HIGH', Medium: 'MEDIUM' };

/**
 * DESIGN §3: a FAIL takes the priority of the workflow's scenario, a WARN is MEDIUM, all PASS is INFO.
 */
export function severityFor(status: CheckStatus, scenarioPriority: Priority): Severity {
  if (status === 'FAIL') return SEVERITY_OF_PRIORITY[scenarioPriority];
  if (status === 'WARN') return 'MEDIUM';
  return 'INFO';
}

/** `EDR-<yyyymmdd>-<4 hex>`, derived from the run (execution name), so a re-sent report keeps its id. */
export function incidentId(startTime: Date, runName: string): string {
  const day = startTime.toISOString().slice(0, 10).replace(/-/g, '');
  return `EDR-${day}-${shortHash(runName)}`;
}

function utc(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The plan's template, field for field. */
export function renderText(n: NotificationInput): string {
  const lines = [
    `INCIDENT: ${n.incidentId}`,
    `SEVERITY: ${n.severity}${n.severity === 'INFO' ? ' (informational: nothing failed)' : ''}`,
    `AFFECTED SERVICE: ${n.affectedService}`,
    `START TIME: ${utc(n.startTime)}`,
    `ESTIMATED DURATION: ${n.estimatedDuration}`,
    '',
    'DESCRIPTION:',
    n.description,
    '',
    'IMPACT:',
    ...(n.impacts.length > 0 ? n.impacts.map((i) => `- ${i}`) : ['- None']),
    '',
    'CURRENT STATUS:',
    `- Investigation: ${n.status.investigation}`,
    `- Mitigation: ${n.status.mitigation}`,
    `- Resolution: ${n.status.resolution}`,
    '',
    `NEXT UPDATE: ${n.nextUpdate ? utc(n.nextUpdate) : 'none planned (final report)'}`,
  ];
  if (n.evidence) lines.push('', `EVIDENCE: ${n.evidence}`);
  lines.push('', `For questions: ${n.contact}`);
  return lines.join('\n');
}

/** `[SEVERITY] headline (incident id)`, printable ASCII, at most 100 characters. */
export function renderSubject(n: Pick<NotificationInput, 'severity' | 'headline' | 'incidentId'>): string {
  const tag = n.severity === 'INFO' ? '[INFO]' : `[${n.severity}]`;
  const suffix = ` (${n.incidentId})`;
  // SNS subjects: ASCII, no line breaks, at most 100 characters.
  const headline = n.headline
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const room = 100 - tag.length - 1 - suffix.length;
  const cut = headline.length > room ? `${headline.slice(0, room - 3)}...` : headline;
  return `${tag} ${cut}${suffix}`;
}

const EMOJI: Record<Severity, string> = {
  CRITICAL: ':rotating_light:',
  HIGH: ':red_circle:',
  MEDIUM: ':warning:',
  INFO: ':white_check_mark:',
};

/** The Chatbot custom-notification variant of the same notification. */
export function renderChatbot(n: NotificationInput): ChatbotNotification {
  const status = `Investigation ${n.status.investigation} · Mitigation ${n.status.mitigation} · Resolution ${n.status.resolution}`;
  const impacts = n.impacts.length > 0 ? n.impacts.map((i) => `• ${i}`).join('\n') : '• None';
  const nextSteps = [n.nextUpdate ? `Next update ${utc(n.nextUpdate)}` : 'Final report', `Questions: ${n.contact}`];
  if (n.evidence) nextSteps.push(`Evidence: ${n.evidence}`);
  return {
    version: '1.0',
    source: 'custom',
    id: n.incidentId,
    content: {
      textType: 'client-markdown',
      title: `${EMOJI[n.severity]} ${n.severity} ${n.headline}`,
      description: `*${n.affectedService}* since ${utc(n.startTime)} (est. ${n.estimatedDuration})\n${n.description}\n*Impact*\n${impacts}\n*Status* ${status}`,
      nextSteps,
      keywords: [n.incidentId, n.severity],
    },
    metadata: { threadId: n.incidentId, summary: n.headline, eventType: 'EntmootDrReport' },
  };
}

/** Subject, e-mail text, Chatbot JSON, and the SNS JSON message carrying the right one per protocol. */
export function renderNotification(n: NotificationInput): RenderedNotification {
  const text = renderText(n);
  const chatbot = renderChatbot(n);
  // E-mail subscribers get `email`/`default`; AWS Chatbot subscribes over HTTPS and reads `https`.
  const snsMessage = JSON.stringify({ default: text, email: text, https: JSON.stringify(chatbot) });
  return { subject: renderSubject(n), text, chatbot, snsMessage };
}

/** SNS Publish refuses a message over 256 KiB, subject and message attributes included. */
export const SNS_PUBLISH_LIMIT_BYTES = 262_144;

/** Result lines a report lists at most; the rest are counted and left to the evidence record. */
export const MAX_LISTED_RESULTS = 50;

/** A listed result's detail is cut past this many characters (a detail is a sentence; this only bounds a runaway). */
export const MAX_DETAIL_CHARS = 1_000;

/** How a summary lists results. */
export interface SummaryOptions {
  /** Where every result can be read (`s3://bucket/key`): named in the line that counts the results not listed. */
  readonly evidence?: string;
  /** @default MAX_LISTED_RESULTS */
  readonly maxListed?: number;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Description and impact lines from check results, failures first. A report small enough lists every result; a
 * larger one lists failures, then warnings, in full up to `maxListed`, counts the passes, and ends with
 * `… and N more: <evidence>` — so a fleet's weekly report stays one readable, deliverable message.
 */
export function summarizeResults(
  results: readonly CheckResult[],
  options: SummaryOptions = {},
): {
  status: CheckStatus;
  description: string;
  impacts: string[];
} {
  const maxListed = options.maxListed ?? MAX_LISTED_RESULTS;
  const status = worstStatus(results);
  const counts = { PASS: 0, WARN: 0, FAIL: 0 };
  for (const r of results) counts[r.status] += 1;
  const ordered = failuresFirst(results);
  const candidates = results.length <= maxListed ? ordered : ordered.filter((r) => r.status !== 'PASS');
  const listed = candidates.slice(0, maxListed);
  const omitted = results.length - listed.length;
  const line = (r: CheckResult) => `${r.check} ${r.target}: ${clip(r.detail, MAX_DETAIL_CHARS)}`;
  const description = [
    `${results.length} checks: ${counts.FAIL} failed, ${counts.WARN} warned, ${counts.PASS} passed.`,
    ...listed.map((r) => `${r.status} ${line(r)}`),
    ...(omitted > 0 ? [`… and ${omitted} more${options.evidence ? `: ${options.evidence}` : ''}`] : []),
  ].join('\n');
  const impacts = listed.filter((r) => r.status !== 'PASS').map(line);
  return { status, description, impacts };
}

/** The bytes SNS counts for a published notification: subject and message (we send no message attributes). */
export function publishedBytes(n: Pick<RenderedNotification, 'subject' | 'snsMessage'>): number {
  return Buffer.byteLength(n.subject, 'utf8') + Buffer.byteLength(n.snsMessage, 'utf8');
}

/**
 * Renders with fewer listed results until the notification fits the budget: the message repeats its text for
 * e-mail, `default` and the escaped Chatbot copy, so a list that fits once may not fit three times.
 */
export function renderWithinBudget(
  render: (maxListed: number) => RenderedNotification,
  budgetBytes: number = SNS_PUBLISH_LIMIT_BYTES,
): RenderedNotification {
  for (let maxListed = MAX_LISTED_RESULTS; maxListed > 0; maxListed = Math.floor(maxListed / 2)) {
    const rendered = render(maxListed);
    if (publishedBytes(rendered) <= budgetBytes) return rendered;
  }
  const bare = render(0);
  if (publishedBytes(bare) <= budgetBytes) return bare;
  throw new Error(
    `notification is ${publishedBytes(bare)} bytes with no result listed, over the budget of ${budgetBytes}: shorten the error cause`,
  );
}
