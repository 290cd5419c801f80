import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duplicateKeys, loadPlan } from '../../lib/plan-loader';
import { PlanError } from '../../lib/plan';

const dir = mkdtempSync(join(tmpdir(), 'edr-plan-files-'));

/** The error lines loading a file with these contents gives. */
function linesFor(name: string, contents: string | Buffer): { file: string; lines: string[] } {
  const file = join(dir, name);
  writeFileSync(file, contents);
  try {
    loadPlan(file);
    return { file, lines: [] };
  } catch (error) {
    if (error instanceof PlanError) return { file, lines: error.issues };
    throw error;
  }
}

describe('loadPlan refuses a file that is not one JSON object', () => {
  it.each([
    ['an array', '[]', 'holds an array'],
    ['a string', '"entmoot"', 'holds a string'],
    ['null', 'null', 'holds null'],
    ['a number', '42', 'holds a number'],
  ])('names the file holding %s', (_, text, what) => {
    const { file, lines } = linesFor(`${what.replace(/ /g, '-')}.json`, text);

    expect(lines).toEqual([`plan file ${file} ${what}: it must hold a JSON object such as {}`]);
  });

  it('names an empty file', () => {
    const { file, lines } = linesFor('empty.json', '  \n');

    expect(lines).toEqual([`plan file ${file} is empty: it must hold a JSON object such as {}`]);
  });

  it('refuses a file that is not UTF-8 in one line, without echoing its bytes', () => {
    const { file, lines } = linesFor('latin1.json', Buffer.from([0x7b, 0x22, 0xe9, 0xff, 0x22, 0x7d]));

    expect(lines).toEqual([`plan file ${file} is not UTF-8 text: save it as UTF-8 JSON`]);
  });

  it('refuses a key given twice instead of silently keeping the last', () => {
    const { file, lines } = linesFor(
      'twice.json',
      '{"account":"123456789012","databases":[{"id":"a"},{"id":"b","id":"c"}],"regions":{"primary":"us-east-1"},"account":"1"}',
    );

    expect(lines).toEqual([
      `plan.databases[1].id: given twice in ${file}: keep one (JSON would silently use the last)`,
      `plan.account: given twice in ${file}: keep one (JSON would silently use the last)`,
    ]);
  });
});

describe('duplicateKeys', () => {
  it('tells keys apart from string values and escaped quotes', () => {
    expect(duplicateKeys('{"a":"\\"b\\"","b":{"a":1},"c":["a","a"],"d":[{"x":1},{"x":2}]}')).toEqual([]);
  });
});
