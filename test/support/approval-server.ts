/** A stand-in approval endpoint on 127.0.0.1: records each request and answers as told. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** The running server: its URL, what it received, and how it answers next. */
export interface ApprovalServer {
  readonly url: string;
  readonly received: ReceivedRequest[];
  answer: { status: number; body: string; delayMs?: number };
  close(): Promise<void>;
}

/** Starts the server on a free port of 127.0.0.1. */
export async function startApprovalServer(): Promise<ApprovalServer> {
  const received: ReceivedRequest[] = [];
  const state: { answer: ApprovalServer['answer'] } = {
    answer: { status: 200, body: JSON.stringify({ status: 'recorded', message: 'recorded' }) },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const { status, body, delayMs } = state.answer;
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body);
      }, delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    received,
    get answer() {
      return state.answer;
    },
    set answer(a) {
      state.answer = a;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // fetch keeps connections alive: end them, or close() waits for their idle timeout.
        server.closeAllConnections();
      }),
  };
}
