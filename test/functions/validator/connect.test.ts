import { readFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { DatabaseUnreachableError, InvalidInputError } from '../../../functions/shared/errors';
import {
  connect,
  connectionCause,
  isLoopback,
  rdsIamTokenProvider,
  tlsOptions,
} from '../../../functions/validator/connect';

const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const target = { host: 'db.example.com', port: 5432, database: 'entmoot', user: 'dr_validator' };

describe('rdsIamTokenProvider', () => {
  const provider = rdsIamTokenProvider({
    host: 'entmoot-prod.abc123.us-east-1.rds.amazonaws.com',
    port: 5432,
    user: 'dr_validator',
    region: 'us-east-1',
    credentials,
  });

  it('signs an RDS connect token locally: host:port/?Action=connect&DBUser=…, SigV4 for rds-db, valid 900 s', async () => {
    const token = await provider();
    const [hostPort, query] = token.split('/?');
    const params = new URLSearchParams(query);
    expect(hostPort).toBe('entmoot-prod.abc123.us-east-1.rds.amazonaws.com:5432');
    expect(params.get('Action')).toBe('connect');
    expect(params.get('DBUser')).toBe('dr_validator');
    expect(params.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(params.get('X-Amz-Credential')).toMatch(/^AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/rds-db\/aws4_request$/);
    expect(params.get('X-Amz-Expires')).toBe('900');
    expect(params.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(token).not.toMatch(/^https?:/);
  });

  it('signs a fresh token on each call (one per connection)', async () => {
    const first = await provider();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await provider();
    expect(second).not.toBe(first);
  });
});

describe('the connection’s TLS', () => {
  it('always verifies: rejectUnauthorized true, with or without a CA', () => {
    expect(tlsOptions()).toEqual({ rejectUnauthorized: true });
    expect(tlsOptions('PEM')).toEqual({ rejectUnauthorized: true, ca: 'PEM' });
  });

  it('never disables verification or passes a connection string anywhere in the validator', () => {
    for (const file of ['connect.ts', 'validate-database.ts', 'run-validation.ts', 'handler.ts']) {
      const source = readFileSync(join(__dirname, '..', '..', '..', 'functions', 'validator', file), 'utf8');
      const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect({ file, verifyOff: /rejectUnauthorized\s*:\s*false/.test(source) }).toEqual({ file, verifyOff: false });
      expect({ file, url: /connectionString/.test(code) }).toEqual({ file, url: false });
    }
  });

  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['[::1]', true],
    ['10.0.0.5', false],
    ['db.example.com', false],
    ['127.0.0.1.nip.io', false],
  ])('treats %s as loopback: %p', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });

  it('refuses to disable TLS for a host that is not loopback, before connecting', async () => {
    await expect(
      connect({ ...target, password: async () => 'x', connectTimeoutSeconds: 1, tls: 'disable' }),
    ).rejects.toThrow(
      new InvalidInputError('TLS may be disabled only for a loopback host, not db.example.com: remove sslmode=disable'),
    );
  });
});

describe('connectionCause', () => {
  const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

  it.each([
    [withCode('ENOTFOUND'), 'DNS: the host name db.example.com does not resolve'],
    [withCode('ECONNRESET', 'read ECONNRESET'), 'connection lost (read ECONNRESET)'],
    [new Error('Connection terminated unexpectedly'), 'connection lost (Connection terminated unexpectedly)'],
    [withCode('CERT_HAS_EXPIRED'), "TLS: the server's certificate is not valid now (CERT_HAS_EXPIRED)"],
    [withCode('3D000', 'database "entmoot" does not exist'), 'unknown database "entmoot"'],
  ])('names %p as %p', (error, cause) => {
    expect(connectionCause(error, target, false)).toBe(cause);
  });

  it('says timed out when the connect timeout ran out', () => {
    expect(connectionCause(new Error('timeout expired'), target, true)).toBe('timed out');
  });
});

describe('connect against a server that accepts and never answers', () => {
  it('gives up after the connect timeout with DatabaseUnreachableError naming the timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const attempt = connect({
        host: '127.0.0.1',
        port,
        database: 'entmoot',
        user: 'dr_validator',
        password: async () => 'token',
        connectTimeoutSeconds: 1,
      });
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DatabaseUnreachableError);
      expect((error as Error).message).toBe(
        `cannot connect to 127.0.0.1:${port} as dr_validator (database entmoot): timed out after 1 s`,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
