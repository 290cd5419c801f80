/**
 * The longest gap between consecutive runs of an EventBridge schedule expression, in hours: what the freshness
 * monitor allows a job before its grace starts. Imports nothing from CDK, so the CDK app (alarm thresholds) and
 * the Lambda side can share it.
 *
 * Expressions follow EventBridge's syntax: `rate(value unit)` with unit `minute(s)`, `hour(s)` or `day(s)`
 * (singular only for 1), and `cron(minutes hours day-of-month month day-of-week year)` where exactly one of
 * day-of-month and day-of-week is `?`, day-of-week counts 1-7 from Sunday (or SUN-SAT), and months are 1-12 (or
 * JAN-DEC). A cron expression is bounded by walking every day of one 28-year cycle of the calendar (2001-2028:
 * weekdays and leap years repeat after it within 1901-2099) and taking the largest gap between consecutive runs,
 * the wrap-around into the next cycle included. That is exact for every supported shape: daily, weekly, monthly
 * (the 31-day months give 744 h), `TUE#2` in a list of months, `L`, steps and ranges.
 */

import { InvalidInputError } from '../shared/errors';
import { DAY_MS, MINUTE_MS } from '../shared/time';

const MINUTES_PER_HOUR = 60;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/;
const UNIT_MINUTES: Record<string, number> = { minute: 1, hour: 60, day: 1440 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
/** The cycle walked: 2001-01-01 up to 2029-01-01, which falls on the same weekday with the same leap pattern. */
const CYCLE_START = Date.UTC(2001, 0, 1);
const CYCLE_END = Date.UTC(2029, 0, 1);

/** A schedule expression that cannot be turned into a bounded interval; the message names it and the fix. */
class ScheduleIntervalError extends InvalidInputError {
  constructor(expression: string, reason: string) {
    super(`cannot bound the interval of schedule "${expression}": ${reason}`);
  }
}

/** How a day-of-month or day-of-week field selects days. */
type DayRule =
  | { kind: 'any' }
  | { kind: 'set'; values: Set<number> }
  | { kind: 'lastDayOfMonth' }
  | { kind: 'nthWeekday'; weekday: number; nth: number }
  | { kind: 'lastWeekday'; weekday: number };

/** The longest time between two consecutive runs of `expression`, in hours; throws `InvalidInputError` naming the expression when it has no bound. */
export function intervalHoursOf(expression: string): number {
  const text = expression.trim();
  const rate = RATE.exec(text);
  if (rate) return rateHours(text, Number(rate[1]), rate[2]);
  const cron = CRON.exec(text);
  if (cron) return cronHours(text, cron.slice(1, 7));
  throw new ScheduleIntervalError(
    expression,
    'expected rate(N minute|minutes|hour|hours|day|days) or cron(minutes hours day-of-month month day-of-week year)',
  );
}

function rateHours(expression: string, value: number, unit: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new ScheduleIntervalError(expression, 'the rate must be a whole number of at least 1');
  const singular = unit.endsWith('s') ? unit.slice(0, -1) : unit;
  // EventBridge rejects rate(1 minutes) and rate(5 minute): catch it at synth rather than at deploy.
  if ((value === 1) !== (unit === singular)) {
    throw new ScheduleIntervalError(
      expression,
      `EventBridge wants "${singular}" for a value of 1 and "${singular}s" otherwise`,
    );
  }
  return (value * UNIT_MINUTES[singular]) / MINUTES_PER_HOUR;
}

function cronHours(expression: string, fields: string[]): number {
  const [minuteField, hourField, domField, monthField, dowField, yearField] = fields;
  if (yearField !== '*') {
    throw new ScheduleIntervalError(
      expression,
      'a year other than * ends the schedule, so it has no longest gap: use * for the year',
    );
  }
  if ((domField === '?') === (dowField === '?')) {
    throw new ScheduleIntervalError(expression, 'exactly one of day-of-month and day-of-week must be ?');
  }
  const minutes = parseList(expression, 'minutes', minuteField, 0, 59);
  const hours = parseList(expression, 'hours', hourField, 0, 23);
  const months = parseList(expression, 'month', monthField, 1, 12, MONTHS);
  const dayRule = domField === '?' ? parseDayOfWeek(expression, dowField) : parseDayOfMonth(expression, domField);
  const timesOfDay = [...hours]
    .sort((a, b) => a - b)
    .flatMap((h) => [...minutes].sort((a, b) => a - b).map((m) => h * 60 + m));

  let first: number | undefined;
  let previous: number | undefined;
  let longest = 0;
  for (let day = CYCLE_START; day < CYCLE_END; day += DAY_MS) {
    const date = new Date(day);
    if (!months.has(date.getUTCMonth() + 1) || !dayMatches(dayRule, date, domField === '?')) continue;
    const dayMinutes = (day - CYCLE_START) / MINUTE_MS;
    for (const minuteOfDay of timesOfDay) {
      const at = dayMinutes + minuteOfDay;
      if (previous !== undefined) longest = Math.max(longest, at - previous);
      first ??= at;
      previous = at;
    }
  }
  if (first === undefined || previous === undefined) {
    throw new ScheduleIntervalError(
      expression,
      'it never runs (no day of the calendar matches its day and month fields)',
    );
  }
  // The calendar repeats after the cycle, so the last run is followed by the first run one cycle later.
  const cycleMinutes = (CYCLE_END - CYCLE_START) / MINUTE_MS;
  longest = Math.max(longest, first + cycleMinutes - previous);
  return longest / MINUTES_PER_HOUR;
}

function dayMatches(rule: DayRule, date: Date, byWeekday: boolean): boolean {
  const dom = date.getUTCDate();
  const weekday = date.getUTCDay() + 1; // EventBridge: 1 = SUN … 7 = SAT
  const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  switch (rule.kind) {
    case 'any':
      return true;
    case 'set':
      return rule.values.has(byWeekday ? weekday : dom);
    case 'lastDayOfMonth':
      return dom === daysInMonth;
    case 'nthWeekday':
      return weekday === rule.weekday && Math.ceil(dom / 7) === rule.nth;
    case 'lastWeekday':
      return weekday === rule.weekday && dom + 7 > daysInMonth;
  }
}

function parseDayOfMonth(expression: string, field: string): DayRule {
  if (field === '*') return { kind: 'any' };
  if (field === 'L') return { kind: 'lastDayOfMonth' };
  if (field.includes('W'))
    throw new ScheduleIntervalError(
      expression,
      'the W (nearest weekday) day-of-month is not supported: list the days instead',
    );
  return { kind: 'set', values: parseList(expression, 'day-of-month', field, 1, 31) };
}

function parseDayOfWeek(expression: string, field: string): DayRule {
  if (field === '*') return { kind: 'any' };
  // EventBridge: "L" alone in day-of-week is the last day of the week (Saturday).
  if (field === 'L') return { kind: 'set', values: new Set([7]) };
  const nth = /^([A-Za-z]{3}|[1-7])#([1-5])$/.exec(field);
  if (nth)
    return {
      kind: 'nthWeekday',
      weekday: parseValue(expression, 'day-of-week', nth[1], 1, 7, WEEKDAYS),
      nth: Number(nth[2]),
    };
  const last = /^([A-Za-z]{3}|[1-7])L$/.exec(field);
  if (last) return { kind: 'lastWeekday', weekday: parseValue(expression, 'day-of-week', last[1], 1, 7, WEEKDAYS) };
  return { kind: 'set', values: parseList(expression, 'day-of-week', field, 1, 7, WEEKDAYS) };
}

/** A field of comma-separated items, each `*`, `v`, `a-b`, or one of those with `/step`. */
function parseList(
  expression: string,
  name: string,
  field: string,
  min: number,
  max: number,
  names?: string[],
): Set<number> {
  const values = new Set<number>();
  for (const item of field.split(',')) {
    const [range, stepText, extra] = item.split('/');
    if (extra !== undefined)
      throw new ScheduleIntervalError(expression, `the ${name} item "${item}" has more than one /`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isSafeInteger(step) || step < 1)
      throw new ScheduleIntervalError(expression, `the ${name} step in "${item}" must be a whole number of at least 1`);
    let from: number;
    let to: number;
    if (range === '*') {
      [from, to] = [min, max];
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      [from, to] = [parseValue(expression, name, a, min, max, names), parseValue(expression, name, b, min, max, names)];
      if (from > to)
        throw new ScheduleIntervalError(
          expression,
          `the ${name} range "${range}" runs backwards: write it as two ranges`,
        );
    } else {
      from = parseValue(expression, name, range, min, max, names);
      // `v/step` means every step from v to the end of the field.
      to = stepText === undefined ? from : max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function parseValue(
  expression: string,
  name: string,
  text: string,
  min: number,
  max: number,
  names?: string[],
): number {
  const byName = names?.indexOf(text.toUpperCase()) ?? -1;
  const value = byName >= 0 ? byName + 1 : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    const allowed = names ? ` or ${names[0]}-${names[names.length - 1]}` : '';
    throw new ScheduleIntervalError(
      expression,
      `the ${name} value "${text}" is not supported: expected ${min}-${max}${allowed}`,
    );
  }
  return value;
}
