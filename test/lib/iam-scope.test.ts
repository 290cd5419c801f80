import { MAX_PATTERNS, namePatterns, namesOrPatterns, RESOURCE_LIST_BUDGET } from '../../lib/iam-scope';

const tenants = (n: number, suffix: string) =>
  Array.from({ length: n }, (_, i) => `fleet-tenant-${String(i).padStart(4, '0')}${suffix}`);

describe('namePatterns', () => {
  it('keeps the names themselves while there are no more than the pattern limit', () => {
    expect(namePatterns(['b-prod', 'a-prod'])).toEqual(['a-prod', 'b-prod']);
  });

  it('covers a fleet with a few prefix*suffix patterns that leave other names of the plan out', () => {
    // Prepare
    const backups = tenants(500, '-prod-backups');

    // Act
    const patterns = namePatterns(backups);

    // Assess
    expect(patterns).toEqual([
      'fleet-tenant-00*-prod-backups',
      'fleet-tenant-01*-prod-backups',
      'fleet-tenant-02*-prod-backups',
      'fleet-tenant-03*-prod-backups',
      'fleet-tenant-04*-prod-backups',
    ]);
    const matches = (name: string) =>
      patterns.some((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace('*', '.*')}$`).test(name));
    expect(backups.every(matches)).toBe(true);
    expect(tenants(500, '-prod-files').some(matches)).toBe(false);
  });

  it('never gives more patterns than the limit, however the names differ', () => {
    const names = Array.from({ length: 300 }, (_, i) => `${String.fromCharCode(97 + (i % 26))}${i}-db`);

    expect(namePatterns(names).length).toBeLessThanOrEqual(MAX_PATTERNS);
  });
});

describe('namesOrPatterns', () => {
  it('lists the names while their ARNs fit the budget, and patterns past it', () => {
    const arnLength = (name: string) => name.length + 40;
    const few = tenants(3, '-prod');
    const many = tenants(120, '-prod');

    expect(namesOrPatterns(few, arnLength)).toEqual({ names: few, patterned: false });
    expect(many.reduce((sum, n) => sum + arnLength(n) + 3, 0)).toBeGreaterThan(RESOURCE_LIST_BUDGET);
    expect(namesOrPatterns(many, arnLength)).toEqual({
      names: ['fleet-tenant-00*-prod', 'fleet-tenant-01*-prod'],
      patterned: true,
    });
  });
});
