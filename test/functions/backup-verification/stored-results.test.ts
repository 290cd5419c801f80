import { targetFileName, verifyAndStore } from '../../../functions/backup-verification/stored-results';
import { seedPlan } from '../../support/plans';

const never = { send: async () => Promise.reject(new Error('no AWS call expected')) };

describe('verifyAndStore', () => {
  it('refuses a results prefix the workflow would not build, before any AWS call', async () => {
    const put = jest.fn();

    await expect(
      verifyAndStore({ target: { kind: 'database', id: 'entmoot-prod' }, resultsPrefix: 'state/' }, seedPlan(), {
        primaryRds: never,
        recoveryRds: never,
        s3: never,
        now: () => new Date(),
        putResults: put,
      }),
    ).rejects.toMatchObject({ name: 'InvalidInputError' });
    expect(put).not.toHaveBeenCalled();
  });
});

describe('targetFileName', () => {
  it('names each target by kind and name, a dump’s key without slashes', () => {
    expect(targetFileName({ kind: 'database', id: 'entmoot-prod' })).toBe('database-entmoot-prod.json');
    expect(targetFileName({ kind: 'backups', bucket: 'entmoot-prod-backups' })).toBe(
      'backups-entmoot-prod-backups.json',
    );
    expect(targetFileName({ kind: 'dump', bucket: 'b', key: 'daily/latest.sql' })).toBe(
      'dump-b-daily%2Flatest.sql.json',
    );
  });
});
