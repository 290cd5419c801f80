/** RDS ARNs, as the model builds and parses them. */
export function dbArn(region: string, account: string, id: string): string {
  return `arn:aws:rds:${region}:${account}:db:${id}`;
}
export function snapshotArn(region: string, account: string, id: string): string {
  return `arn:aws:rds:${region}:${account}:snapshot:${id}`;
}

interface ParsedArn {
  region: string;
  account: string;
  type: string;
  id: string;
}
export function parseRdsArn(s: string): ParsedArn | undefined {
  const m = /^arn:aws[a-z-]*:rds:([a-z0-9-]+):(\d{12}):([a-z-]+):(.+)$/.exec(s);
  return m ? { region: m[1], account: m[2], type: m[3], id: m[4] } : undefined;
}
