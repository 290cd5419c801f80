/** Request validation shared by the RDS model's actions: required members, tags and pagination. */
import { fault } from './errors';
import { MAX_TAGS, type Tag } from './rds-state';

export type Input = Record<string, unknown>;

export function str(input: Input, key: string, required = true): string | undefined {
  const v = input[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw fault.missingParameter(key);
    return undefined;
  }
  if (typeof v !== 'string') throw fault.invalidParameterValue(`${key} must be a string`);
  return v;
}

export function validateTags(tags: unknown): Tag[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags)) throw fault.invalidParameterValue('Tags must be a list');
  if (tags.length > MAX_TAGS) throw tagQuota(tags.length);
  return tags.map((t) => {
    const tag = t as Tag;
    if (typeof tag.Key !== 'string') throw fault.invalidParameterValue('A tag needs a Key');
    if (/^(aws:|rds:)/i.test(tag.Key)) {
      throw fault.invalidParameterValue(`Tag keys can't start with aws: or rds: (${tag.Key})`);
    }
    return { Key: tag.Key, Value: String(tag.Value ?? '') };
  });
}

function tagQuota(count: number) {
  return fault.invalidParameterValue(`A resource holds at most ${MAX_TAGS} tags; the request would give it ${count}.`);
}

export function mergeTags(into: Tag[], add: Tag[]): void {
  const merged = [...into];
  for (const t of add) {
    const i = merged.findIndex((x) => x.Key === t.Key);
    if (i >= 0) merged[i] = t;
    else merged.push(t);
  }
  if (merged.length > MAX_TAGS) throw tagQuota(merged.length);
  into.splice(0, into.length, ...merged);
}

export function copyableTags(tags: Tag[]): Tag[] {
  return tags.filter((t) => !/^(aws:|rds:)/i.test(t.Key)).map((t) => ({ ...t }));
}

export function paginate<T>(items: T[], input: Input): { page: T[]; Marker?: string } {
  const max = input.MaxRecords === undefined ? 100 : Number(input.MaxRecords);
  if (!Number.isInteger(max) || max < 20 || max > 100) {
    throw fault.invalidParameterValue(
      `Invalid value ${String(input.MaxRecords)} for MaxRecords. Must be between 20 and 100`,
    );
  }
  let start = 0;
  if (input.Marker !== undefined) {
    const decoded = /^m(\d+)$/.exec(Buffer.from(String(input.Marker), 'base64').toString('utf8'));
    if (!decoded) throw fault.invalidParameterValue('Invalid Marker');
    start = Number(decoded[1]);
  }
  const page = items.slice(start, start + max);
  const next = start + max < items.length ? Buffer.from(`m${start + max}`).toString('base64') : undefined;
  return { page, Marker: next };
}
