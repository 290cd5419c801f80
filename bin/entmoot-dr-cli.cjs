#!/usr/bin/env node
/* The `entmoot-dr` executable (package.json "bin"): registers tsx so the TypeScript CLI runs without a build step. */
'use strict';
require('tsx/cjs');
const { main } = require('./cli.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`entmoot-dr: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
