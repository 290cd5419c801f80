/**
 * The draft of the plan's Post-Incident Review (within 48 hours): written beside the evidence record of a
 * recovery run whose descriptor asks for it (`postIncidentReview`), with what the run knows filled in — trigger and
 * reason, the timeline from its steps and marks, the measured times against their targets, the data-loss window —
 * and the plan's seven questions for the people to answer. Pure: the report writes what this returns.
 */
import type { EvidenceRecord, RunState } from './evidence';

/** The plan's seven questions (Communication Plan, "Post-Incident Review (Within 48 Hours)"). */
export const PIR_QUESTIONS = [
  'What happened?',
  'Why did it happen?',
  'What were the impacts?',
  'What was our response?',
  'What could we have done better?',
  'What changes do we make?',
  'When will we make them?',
] as const;

/** Key of the draft beside an evidence record: `runs/…/<execution>.pir.md`. */
export function pirKey(evidenceKey: string): string {
  return evidenceKey.replace(/\.json$/, '.pir.md');
}

const line = (text: unknown) => String(text).replace(/[\r\n]+/g, ' ');

function triggerText(input: unknown): { trigger: string; reason: string } {
  const i = (input ?? {}) as { trigger?: unknown; reason?: unknown };
  const t = i.trigger as { kind?: unknown; alarmName?: unknown; stateChangeTime?: unknown } | string | undefined;
  let trigger = 'not recorded';
  if (typeof t === 'string') trigger = t;
  else if (t && typeof t === 'object' && typeof t.kind === 'string')
    trigger =
      t.kind === 'alarm' ? `alarm ${line(t.alarmName)} (state change at ${line(t.stateChangeTime)})` : line(t.kind);
  return { trigger, reason: typeof i.reason === 'string' ? line(i.reason) : 'not recorded' };
}

/** The review draft, as Markdown. */
export function postIncidentReview(record: EvidenceRecord, state: Pick<RunState, 'marks'>): string {
  const { trigger, reason } = triggerText(record.input);
  const timeline = [
    { at: record.execution.startedAt, what: 'run started' },
    ...record.steps.map((s) => ({
      at: s.enteredAt,
      what: `${s.name}${s.outcome === 'failed' ? ` failed${s.error ? ` (${s.error})` : ''}` : ''}`,
    })),
    ...Object.entries(state.marks ?? {}).flatMap(([mark, m]) => (m?.at ? [{ at: m.at, what: `mark: ${mark}` }] : [])),
    { at: record.execution.endedAt, what: `run ended ${record.outcome}` },
  ].sort((a, b) => a.at.localeCompare(b.at));
  const measured = record.measurements.map(
    (m) =>
      `| ${m.name} | ${Math.round(m.seconds)} s | ${m.targetSeconds === undefined ? '–' : `${m.targetSeconds} s`} | ${m.met ? 'met' : 'MISSED'} |`,
  );
  const dataLoss = record.results.filter((r) => /data-loss/.test(r.check)).map((r) => `- ${line(r.detail)}`);
  const findings = record.results
    .filter((r) => r.status !== 'PASS')
    .map((r) => `- ${r.status} ${r.check} ${r.target}: ${line(r.detail)}`);
  return [
    `# Post-incident review (draft): ${record.title}, ${record.incidentId}`,
    '',
    `Draft written by the ${record.workflow} run ${record.execution.name} at ${record.execution.endedAt}; hold the review within 48 hours.`,
    '',
    '## Trigger and reason',
    '',
    `- Trigger: ${trigger}`,
    `- Reason given: ${reason}`,
    `- Outcome: ${record.outcome}, status ${record.status}${record.error ? ` (${record.error.name}${record.error.cause ? `: ${line(record.error.cause)}` : ''})` : ''}`,
    '',
    '## Timeline (UTC)',
    '',
    ...timeline.map((t) => `- ${t.at} ${t.what}`),
    '',
    '## Measured times',
    '',
    ...(measured.length
      ? ['| measurement | took | target | |', '| --- | --- | --- | --- |', ...measured]
      : ['None measured.']),
    '',
    '## Data-loss window',
    '',
    ...(dataLoss.length ? dataLoss : ['Not determined by this run.']),
    '',
    '## Findings of the run',
    '',
    ...(findings.length ? findings : ['None: every check passed.']),
    '',
    '## Questions',
    '',
    ...PIR_QUESTIONS.flatMap((q, i) => [`### ${i + 1}. ${q}`, '', '_To be answered._', '']),
  ].join('\n');
}
