import type { HistoryEventLike, ReportDeps } from '../../functions/report/report-run';

/** An in-memory evidence bucket and topic behind `ReportDeps`, with S3's conditional-write behaviour. */
export class FakeReportDeps implements ReportDeps {
  readonly bucket = 'evidence-bucket';
  readonly objects = new Map<string, string>();
  readonly published: { subject: string; message: string }[] = [];
  historyEvents: HistoryEventLike[] = [];
  publishFailures = 0;
  clock = new Date('2025-11-10T06:30:00Z');

  now = (): Date => this.clock;

  history = async (): Promise<HistoryEventLike[]> => this.historyEvents;

  /** Each object's ETag: a new one on every write. */
  readonly etags = new Map<string, string>();
  private writes = 0;
  /** Runs before each conditional write is judged (a test's concurrent writer goes here), once per write. */
  beforeConditionalWrite: ((key: string) => Promise<void>) | undefined;

  putObject = async (
    key: string,
    body: string,
    options?: { ifNoneMatch?: boolean; ifMatch?: string },
  ): Promise<void> => {
    if ((options?.ifNoneMatch || options?.ifMatch) && this.beforeConditionalWrite) {
      const before = this.beforeConditionalWrite;
      this.beforeConditionalWrite = undefined;
      await before(key);
    }
    const stale = options?.ifMatch !== undefined && this.etags.get(key) !== options.ifMatch;
    if ((options?.ifNoneMatch && this.objects.has(key)) || stale) {
      throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
        name: 'PreconditionFailed',
        $metadata: { httpStatusCode: 412 },
      });
    }
    this.writes += 1;
    this.objects.set(key, body);
    this.etags.set(key, `"etag-${this.writes}"`);
  };

  getObject = async (key: string): Promise<string | undefined> => this.objects.get(key);

  getObjectVersion = async (key: string): Promise<{ body: string; etag: string } | undefined> => {
    const body = this.objects.get(key);
    return body === undefined ? undefined : { body, etag: this.etags.get(key) ?? '"none"' };
  };

  listKeys = async (prefix: string): Promise<string[]> => [...this.objects.keys()].filter((k) => k.startsWith(prefix));

  objectExists = async (key: string): Promise<boolean> => this.objects.has(key);

  deleteObject = async (key: string): Promise<void> => {
    this.objects.delete(key);
    this.etags.delete(key);
  };

  publish = async (message: { subject: string; message: string }): Promise<void> => {
    if (this.publishFailures > 0) {
      this.publishFailures -= 1;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    this.published.push(message);
  };

  /** The evidence record at a key, parsed. */
  record(key: string): Record<string, unknown> {
    const text = this.objects.get(key);
    if (!text) throw new Error(`no evidence at ${key}`);
    return JSON.parse(text) as Record<string, unknown>;
  }
}
