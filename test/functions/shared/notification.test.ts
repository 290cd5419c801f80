import type { CheckResult } from '../../../functions/shared/check-result';
import {
  incidentId,
  renderNotification,
  renderSubject,
  severityFor,
  summarizeResults,
  type NotificationInput,
} from '../../../functions/shared/notification';

const base: NotificationInput = {
  incidentId: 'EDR-20251110-3f9a',
  severity: 'HIGH',
  headline: 'Weekly backup verification: 1 failed',
  affectedService: 'Entmoot API',
  startTime: new Date('2025-11-10T06:00:00Z'),
  estimatedDuration: 'n/a',
  description: 'The newest snapshot of entmoot-prod is 30 hours old.',
  impacts: ['Region-failure RPO of 15 minutes not met'],
  status: { investigation: 'IN_PROGRESS', mitigation: 'PENDING', resolution: 'PENDING' },
  nextUpdate: new Date('2025-11-10T06:30:00Z'),
  contact: '#incidents on Slack',
  evidence: 's3://evidence/runs/x.json',
};

describe('the outage notification', () => {
  it('fills every field of the plan’s template, in its order', () => {
    const { text } = renderNotification(base);
    const labels = [
      'INCIDENT: EDR-20251110-3f9a',
      'SEVERITY: HIGH',
      'AFFECTED SERVICE: Entmoot API',
      'START TIME: 2025-11-10 06:00 UTC',
      'ESTIMATED DURATION: n/a',
      'DESCRIPTION:',
      'IMPACT:',
      '- Region-failure RPO of 15 minutes not met',
      'CURRENT STATUS:',
      '- Investigation: IN_PROGRESS',
      '- Mitigation: PENDING',
      '- Resolution: PENDING',
      'NEXT UPDATE: 2025-11-10 06:30 UTC',
      'For questions: #incidents on Slack',
    ];
    const positions = labels.map((l) => text.indexOf(l));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('says an all-PASS report is informational', () => {
    const { text, subject } = renderNotification({ ...base, severity: 'INFO', impacts: [] });
    expect(text).toContain('SEVERITY: INFO (informational: nothing failed)');
    expect(text).toContain('IMPACT:\n- None');
    expect(subject.startsWith('[INFO] ')).toBe(true);
  });

  it('keeps the subject within SNS’s 100 printable ASCII characters', () => {
    const subject = renderSubject({ ...base, headline: `Restore test — ${'very long '.repeat(20)}\nsecond line` });
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.endsWith('(EDR-20251110-3f9a)')).toBe(true);
  });

  it('carries e-mail text and the Chatbot custom notification in one SNS JSON message', () => {
    const rendered = renderNotification(base);
    const message = JSON.parse(rendered.snsMessage) as Record<string, string>;
    expect(message.default).toBe(rendered.text);
    expect(message.email).toBe(rendered.text);
    const chatbot = JSON.parse(message.https ?? '{}');
    expect(chatbot).toMatchObject({ version: '1.0', source: 'custom', content: { textType: 'client-markdown' } });
    expect(chatbot.content.title).toContain('HIGH Weekly backup verification: 1 failed');
    expect(chatbot.content.nextSteps).toEqual(expect.arrayContaining(['Questions: #incidents on Slack']));
  });

  it('says a final report has no next update', () => {
    expect(renderNotification({ ...base, nextUpdate: undefined }).text).toContain(
      'NEXT UPDATE: none planned (final report)',
    );
  });
});

describe('severity', () => {
  it.each([
    ['FAIL', 'Critical', 'CRITICAL'],
    ['FAIL', 'High', 'HIGH'],
    ['FAIL', 'Medium', 'MEDIUM'],
    ['WARN', 'Critical', 'MEDIUM'],
    ['PASS', 'Critical', 'INFO'],
  ] as const)('a %s in a %s scenario is %s', (status, priority, severity) => {
    expect(severityFor(status, priority)).toBe(severity);
  });
});

describe('incident ids', () => {
  it('look like EDR-yyyymmdd-xxxx and are the same for the same run', () => {
    const at = new Date('2025-11-10T03:00:00Z');
    expect(incidentId(at, 'run-1')).toMatch(/^EDR-20251110-[0-9a-f]{4}$/);
    expect(incidentId(at, 'run-1')).toBe(incidentId(at, 'run-1'));
    expect(incidentId(at, 'run-1')).not.toBe(incidentId(at, 'run-2'));
  });
});

describe('summarizeResults', () => {
  const r = (status: CheckResult['status'], check: string): CheckResult => ({
    check,
    target: 'entmoot-prod',
    status,
    observed: 1,
    threshold: 1,
    detail: `${check} detail`,
  });

  it('leads with failures, then warnings, and lists only non-passing results as impacts', () => {
    const summary = summarizeResults([r('PASS', 'a'), r('WARN', 'b'), r('FAIL', 'c')]);
    expect(summary.status).toBe('FAIL');
    expect(summary.description.split('\n')).toEqual([
      '3 checks: 1 failed, 1 warned, 1 passed.',
      'FAIL c entmoot-prod: c detail',
      'WARN b entmoot-prod: b detail',
      'PASS a entmoot-prod: a detail',
    ]);
    expect(summary.impacts).toEqual(['c entmoot-prod: c detail', 'b entmoot-prod: b detail']);
  });
});
