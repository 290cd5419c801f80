import { RegionInfo } from 'aws-cdk-lib/region-info';
import { AWS_REGIONS, bucketNameProblem, fargateProblem, FARGATE_MEMORY } from '../../lib/plan-rules';

describe('the plan’s AWS rules', () => {
  it('know exactly the regions aws-cdk-lib knows', () => {
    expect([...AWS_REGIONS].sort()).toEqual(RegionInfo.regions.map((r) => r.name).sort());
  });

  it('accept bucket names S3 accepts, at both lengths', () => {
    for (const name of ['abc', 'a'.repeat(63), 'entmoot.prod-files', '1entmoot9']) {
      expect({ name, problem: bucketNameProblem(name) }).toEqual({ name, problem: undefined });
    }
  });

  it('refuse bucket names S3 refuses', () => {
    const refused = [
      'ab',
      'a'.repeat(64),
      'Entmoot',
      'entmoot_files',
      '-entmoot',
      'entmoot.',
      'sthree-x',
      'amzn-s3-demo-x',
      'x.mrap',
      'x--ol-s3',
      'x--x-s3',
    ];
    for (const name of refused)
      expect({ name, refused: bucketNameProblem(name) !== undefined }).toEqual({ name, refused: true });
  });

  it('accept the Fargate CPU and memory pairs of the ECS guide and nothing between them', () => {
    expect(FARGATE_MEMORY[1024]).toEqual([2048, 3072, 4096, 5120, 6144, 7168, 8192]);
    expect(FARGATE_MEMORY[8192]?.[0]).toBe(16384);
    expect(FARGATE_MEMORY[8192]?.at(-1)).toBe(61440);
    expect(FARGATE_MEMORY[16384]?.at(-1)).toBe(122880);
    expect(fargateProblem(2048, 8192)).toBeUndefined();
    expect(fargateProblem(8192, 18432)).toBe(
      'must be a memory Fargate accepts with 8192 CPU units: 16384-61440 MiB in steps of 4096',
    );
  });
});
