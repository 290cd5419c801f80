/**
 * A local HTTP server that answers a real `S3Client` (path-style: `/<bucket>/<key>`, as the SDK addresses an IP
 * endpoint) for the objects it is given: HeadObject and GetObject (with `If-Match`), PutObject into memory, and
 * S3's errors (404 `NoSuchKey`, HEAD's bodiless 404, 403 `AccessDenied` for a denied key, 412). Files are
 * streamed from disk, so the server itself stays small whatever their size. Point the SDK at it with
 * `AWS_ENDPOINT_URL_S3=<url>` (any credentials, any region).
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The running server. */
export interface TestS3Server {
  readonly url: string;
  /** Serves a local file at `s3://bucket/key`. */
  putFile(bucket: string, key: string, path: string, lastModified?: Date): void;
  /** Answers 403 AccessDenied for this object. */
  deny(bucket: string, key: string): void;
  /** Objects written through PutObject, by `bucket/key`. */
  readonly written: Map<string, Buffer>;
  /** Requests seen, as `METHOD /bucket/key`. */
  readonly requests: string[];
  close(): Promise<void>;
}

const xmlError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** Starts the server on a free 127.0.0.1 port. */
export async function startS3Server(): Promise<TestS3Server> {
  const files = new Map<string, { path: string; lastModified: Date }>();
  const denied = new Set<string>();
  const written = new Map<string, Buffer>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/^\//, '');
    requests.push(`${req.method} /${path}`);
    const fail = (status: number, code: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(req.method === 'HEAD' ? undefined : xmlError(code, message));
    };
    if (denied.has(path)) return fail(403, 'AccessDenied', 'Access Denied');
    if (req.method === 'PUT') {
      void bodyOf(req).then((body) => {
        written.set(path, body);
        res.writeHead(200, { etag: '"put"' });
        res.end();
      });
      return;
    }
    const file = files.get(path);
    if (!file) return fail(404, 'NoSuchKey', 'The specified key does not exist.');
    const size = statSync(file.path).size;
    const etag = `"${size.toString(16)}-${file.lastModified.getTime().toString(16)}"`;
    const ifMatch = req.headers['if-match'];
    if (ifMatch && ifMatch !== etag)
      return fail(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
    res.writeHead(200, {
      'content-length': String(size),
      'content-type': 'application/octet-stream',
      'last-modified': file.lastModified.toUTCString(),
      etag,
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file.path).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    putFile: (bucket, key, path, lastModified = new Date()) => {
      // S3's LastModified has second precision.
      files.set(`${bucket}/${key}`, { path, lastModified: new Date(Math.floor(lastModified.getTime() / 1000) * 1000) });
    },
    deny: (bucket, key) => denied.add(`${bucket}/${key}`),
    written,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
