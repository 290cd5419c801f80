import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { drEsbuildOptions, dummyEnv, packageOf, quantile, requiredEnvNames } from '../../bench/bundles';
import { DR_BUNDLING, PROJECT_ROOT } from '../../lib/bundling';

describe('the benchmark bundle settings', () => {
  it('are DrFunction settings from lib/bundling.ts, with the linked source map NodejsFunction builds', () => {
    // Act
    const options = drEsbuildOptions('functions/report/handler.ts', '/tmp/out/index.js');

    // Assess
    expect(options).toMatchObject({
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: DR_BUNDLING.target,
      minify: DR_BUNDLING.minify,
      keepNames: DR_BUNDLING.keepNames,
      mainFields: [...DR_BUNDLING.mainFields],
      sourcemap: 'linked',
      sourcesContent: DR_BUNDLING.sourcesContent,
      external: [...DR_BUNDLING.externalModules],
    });
    // The plan ships beside the bundle, not through esbuild `define` (one argument holds at most 128 KiB).
    expect(options.define).toBeUndefined();
  });

  it('compile the AWS SDK into the bundle, or leave the SDK to the runtime for comparison', async () => {
    // Prepare
    // Inside the project, so the entry resolves the SDK from its node_modules.
    mkdirSync(join(PROJECT_ROOT, '.test-results'), { recursive: true });
    const dir = mkdtempSync(join(PROJECT_ROOT, '.test-results', 'bench-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, "import { S3Client } from '@aws-sdk/client-s3';\nexport const s3 = new S3Client({});\n");
    const outfile = join(dir, 'out', 'index.js');
    try {
      // Act
      await build(drEsbuildOptions(entry, outfile));
      const code = readFileSync(outfile, 'utf8');
      const runtimeFile = join(dir, 'runtime', 'index.js');
      await build(drEsbuildOptions(entry, runtimeFile, undefined, 'runtime'));

      // Assess
      expect(code).not.toContain('require("@aws-sdk/client-s3")');
      expect(code).toContain('S3Client');
      expect(readFileSync(runtimeFile, 'utf8')).toContain('require("@aws-sdk/client-s3")');
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the benchmark helpers', () => {
  it('find every variable named in requireEnv calls', () => {
    const sources = [
      "const env = requireEnv('EVIDENCE_BUCKET', 'TOPIC_ARN');",
      'const { JOBS } = requireEnv("FRESHNESS_JOBS");',
      'requireEnv(name)',
    ];

    expect(requiredEnvNames(sources)).toEqual(['EVIDENCE_BUCKET', 'FRESHNESS_JOBS', 'TOPIC_ARN']);
  });

  it('give a JSON variable a value its handler can parse', () => {
    const env = dummyEnv(['FRESHNESS_JOBS', 'TOPIC_ARN']);

    expect(JSON.parse(env.FRESHNESS_JOBS)).toEqual([expect.objectContaining({ job: 'janitor' })]);
    expect(env.TOPIC_ARN).toMatch(/^arn:aws:sns:us-east-1:\d{12}:/);
  });

  it('name the package of a bundle input, scoped or not, and own code as such', () => {
    expect(packageOf('node_modules/@aws-lambda-powertools/logger/lib/cjs/index.js')).toBe(
      '@aws-lambda-powertools/logger',
    );
    expect(packageOf('node_modules/zod/v4/classic/schemas.js')).toBe('zod');
    expect(packageOf('functions/report/handler.ts')).toBe('(own code)');
  });

  it('take the nearest-rank quantile', () => {
    const values = [5, 1, 4, 2, 3, 10, 6, 7, 8, 9];

    expect(quantile(values, 0.5)).toBe(5);
    expect(quantile(values, 0.9)).toBe(9);
  });
});
