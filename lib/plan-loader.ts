import { readFileSync } from 'node:fs';
import { parsePlan, PlanError, type DrPlan } from './plan';

/** CDK context key that names the plan file: `cdk synth -c drPlan=plans/prod.json`. */
export const PLAN_CONTEXT_KEY = 'drPlan';

/** The JSON path (`plan.databases[0].id`) of every key given twice in one object of valid JSON text. */
export function duplicateKeys(text: string): string[] {
  const found: string[] = [];
  // One frame per open object or array: its path, and the keys seen (objects) or the next index (arrays).
  const stack: { path: string; keys?: Set<string>; index?: number; key?: string }[] = [];
  const valuePath = () => {
    const top = stack[stack.length - 1];
    if (!top) return 'plan';
    return top.keys ? `${top.path}.${top.key}` : `${top.path}[${top.index}]`;
  };
  let expectKey = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) found.push(`${top.path}.${key}`);
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = j;
    } else if (c === '{') {
      stack.push({ path: valuePath(), keys: new Set() });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ path: valuePath(), index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.index = (top.index ?? 0) + 1;
    }
  }
  return found;
}

/**
 * Reads a plan file (JSON, only the fields that differ from the defaults) and validates it.
 * Without a path, the default plan (the seed plan's values, example values elsewhere) is used.
 * The file must be UTF-8 JSON holding one object, each key given once: anything else is one line naming the file.
 */
export function loadPlan(path?: string): DrPlan {
  if (!path) return parsePlan({});
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new PlanError([
      `plan file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): check the ${PLAN_CONTEXT_KEY} context value`,
    ]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    // The bytes are not echoed: they are not text, and could be anything.
    throw new PlanError([`plan file ${path} is not UTF-8 text: save it as UTF-8 JSON`]);
  }
  if (text.trim() === '') throw new PlanError([`plan file ${path} is empty: it must hold a JSON object such as {}`]);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PlanError([`plan file ${path} is not valid JSON: ${(error as Error).message}`]);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    const kind = json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`;
    throw new PlanError([`plan file ${path} holds ${kind}: it must hold a JSON object such as {}`]);
  }
  const twice = duplicateKeys(text);
  if (twice.length > 0) {
    throw new PlanError(
      twice.map((where) => `${where}: given twice in ${path}: keep one (JSON would silently use the last)`),
    );
  }
  return parsePlan(json);
}
