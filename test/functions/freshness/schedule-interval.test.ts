import { intervalHoursOf } from '../../../functions/freshness/schedule-interval';
import { InvalidInputError } from '../../../functions/shared/errors';
import { defaultPlan } from '../../../lib/plan';

describe('intervalHoursOf', () => {
  describe('the plan’s default schedules', () => {
    const schedules = defaultPlan().schedules;

    it.each([
      ['backupVerification', 'cron(0 6 ? * MON *)', 168],
      ['replicationCheck', 'rate(1 hour)', 1],
      ['consistencyCheck', 'rate(1 hour)', 1],
      ['posture', 'cron(0 7 * * ? *)', 24],
      ['readiness', 'cron(30 7 * * ? *)', 24],
      // Monthly on the 1st: the longest gap follows a 31-day month.
      ['snapshotRestoreTest', 'cron(0 5 1 * ? *)', 744],
      ['dumpRestoreTest', 'cron(0 8 1 * ? *)', 744],
      // The second Tuesday of Jan/Apr/Jul/Oct: from the 8th of July to the 14th of October is 98 days.
      ['failoverDrill', 'cron(0 14 ? 1,4,7,10 TUE#2 *)', 98 * 24],
      ['prober', 'rate(1 minute)', 1 / 60],
      ['freshness', 'cron(0 9 * * ? *)', 24],
      ['janitor', 'cron(0 4 * * ? *)', 24],
    ] as const)('bounds %s (%s) at %d hours', (name, expression, hours) => {
      expect(schedules[name]).toBe(expression);

      expect(intervalHoursOf(expression)).toBeCloseTo(hours, 10);
    });

    it('covers every schedule of the plan', () => {
      for (const expression of Object.values(schedules)) expect(intervalHoursOf(expression)).toBeGreaterThan(0);
    });
  });

  describe('rate expressions', () => {
    it.each([
      ['rate(5 minutes)', 5 / 60],
      ['rate(12 hours)', 12],
      ['rate(1 day)', 24],
      ['rate(7 days)', 168],
    ])('bounds %s exactly', (expression, hours) => {
      expect(intervalHoursOf(expression)).toBeCloseTo(hours, 10);
    });

    it.each(['rate(1 hours)', 'rate(2 hour)', 'rate(0 minutes)'])('rejects %s as EventBridge would', (expression) => {
      expect(() => intervalHoursOf(expression)).toThrow(expression);
    });
  });

  describe('cron expressions', () => {
    it.each([
      ['hourly', 'cron(15 * * * ? *)', 1],
      ['every 15 minutes', 'cron(0/15 * * * ? *)', 0.25],
      ['twice a day at uneven hours', 'cron(0 6,9 * * ? *)', 21],
      ['on weekdays', 'cron(0 9 ? * MON-FRI *)', 72],
      ['on the last day of the month', 'cron(0 12 L * ? *)', 31 * 24],
      ['on the last Friday of the month', 'cron(0 9 ? * 6L *)', 35 * 24],
      ['on the 1st and 15th', 'cron(0 0 1,15 * ? *)', 17 * 24],
      ['yearly', 'cron(0 0 1 JAN ? *)', 366 * 24],
      ['every third month by step', 'cron(0 0 1 1/3 ? *)', 92 * 24],
    ])('bounds a schedule that runs %s', (_, expression, hours) => {
      expect(intervalHoursOf(expression)).toBeCloseTo(hours, 10);
    });
  });

  describe('shapes it cannot bound', () => {
    it.each([
      ['a year that ends the schedule', 'cron(0 4 * * ? 2026)', /a year other than \*/],
      ['both day fields set', 'cron(0 4 1 * MON *)', /exactly one of day-of-month and day-of-week/],
      ['both day fields ?', 'cron(0 4 ? * ? *)', /exactly one of day-of-month and day-of-week/],
      ['the nearest-weekday form', 'cron(0 4 15W * ? *)', /W \(nearest weekday\)/],
      ['an hour out of range', 'cron(0 24 * * ? *)', /hours value "24"/],
      ['an unknown weekday', 'cron(0 4 ? * FUN *)', /day-of-week value "FUN"/],
      ['a backwards range', 'cron(0 4 ? * FRI-MON *)', /runs backwards/],
      ['a day that never comes', 'cron(0 4 31 2 ? *)', /never runs/],
      ['something else entirely', 'every day at four', /expected rate\(/],
    ])('throws InvalidInputError naming the expression for %s', (_, expression, reason) => {
      expect(() => intervalHoursOf(expression)).toThrow(InvalidInputError);
      expect(() => intervalHoursOf(expression)).toThrow(`"${expression}"`);
      expect(() => intervalHoursOf(expression)).toThrow(reason);
    });
  });
});
