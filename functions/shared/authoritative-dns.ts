/**
 * Asks a zone's own name servers what a record says, the way a resolver would before caching: readiness reads
 * where traffic goes now, and the regional failover verifies its switch, both without Route 53's API (its control
 * plane, `GetHostedZone` and `TestDNSAnswer` included, is homed in us-east-1: DESIGN.md §8).
 *
 * - The name servers are found through DNS: NS of the zone, then the IPv4 addresses of each name, through the
 *   function's resolver (a Lambda outside a VPC has no IPv6 route, so AAAA addresses of name servers are not used).
 * - Each address is asked directly, recursion off (RD=0), over UDP; a reply with TC set is asked again over TCP
 *   (RFC 7766). A UDP query that meets silence is sent again, up to `udpAttempts` times, each within `timeoutMs`.
 * - A reply counts only when it is authoritative (AA set, RFC 1035 §4.1.1): a server that answers from a cache
 *   or refers elsewhere is not the zone speaking.
 * - A record is a CNAME (compared by the target's name) or an alias A/AAAA (Route 53 answers an alias with the
 *   target's own addresses: compared with the addresses the target's name resolves to through the resolver).
 * Packets are built and read by the npm package `dns-packet`. Resolver, sockets and the query port are
 * dependencies, so tests run this whole path against a local server (test/support/dns-server.ts).
 */
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';

/** What discovery and target resolution need of a resolver: node's `dns.promises.Resolver` has these. */
export interface NameResolver {
  resolveNs(name: string): Promise<string[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

/** What the reader needs: the resolver, how to open sockets, the port name servers listen on, and its bounds. */
export interface AuthoritativeDnsDeps {
  readonly resolver: NameResolver;
  /** A new unbound UDP socket (`dgram.createSocket('udp4')`). */
  readonly udpSocket: () => dgram.Socket;
  /** A TCP connection to `host:port` (`net.connect`). */
  readonly tcpConnect: (port: number, host: string) => net.Socket;
  /** The port name servers answer on: 53, except in tests. */
  readonly port: number;
  /** How long one query (one UDP attempt, or the whole TCP exchange) may take. */
  readonly timeoutMs: number;
  /** UDP sends per query before the server counts as silent (a lost datagram is not an outage). */
  readonly udpAttempts: number;
}

/** Per-query bound: a name server answers in milliseconds; Route 53's are anycast. */
const DEFAULT_TIMEOUT_MS = 2_000;

/** The reader's dependencies on the real network, port 53, 2 s per query, two UDP sends. */
export function nodeDnsDeps(
  resolver: NameResolver,
  overrides: Partial<AuthoritativeDnsDeps> = {},
): AuthoritativeDnsDeps {
  return {
    resolver,
    udpSocket: () => dgram.createSocket('udp4'),
    tcpConnect: (port, host) => net.connect({ port, host }),
    port: 53,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    udpAttempts: 2,
    ...overrides,
  };
}

/** One address of one of the zone's name servers. */
export interface NameServer {
  /** Its name as the NS record gives it, e.g. `ns-1536.awsdns-00.co.uk`. */
  readonly name: string;
  readonly address: string;
}

/** The zone's name servers, or why they could not be found. */
export type Discovery =
  | {
      readonly ok: true;
      readonly servers: readonly NameServer[];
      /** NS names without an IPv4 address: not asked, reported as not answering. */
      readonly unresolved: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

const errorCode = (error: unknown) =>
  (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));

const normalName = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** The zone's name servers and their IPv4 addresses, found through the resolver. */
export async function discoverNameServers(zoneName: string, deps: AuthoritativeDnsDeps): Promise<Discovery> {
  let names: string[];
  try {
    names = await deps.resolver.resolveNs(zoneName);
  } catch (error) {
    return { ok: false, reason: `NS lookup of ${zoneName} failed (${errorCode(error)})` };
  }
  if (names.length === 0) return { ok: false, reason: `NS lookup of ${zoneName} returned no name server` };
  const resolved = await Promise.all(
    names.map(async (name) => ({ name, addresses: await deps.resolver.resolve4(name).catch(() => [] as string[]) })),
  );
  return {
    ok: true,
    servers: resolved.flatMap(({ name, addresses }) => addresses.map((address) => ({ name, address }))),
    unresolved: resolved.filter((r) => r.addresses.length === 0).map((r) => r.name),
  };
}

/** A name server's reply to one question. */
interface DnsReply {
  readonly rcode: string;
  readonly authoritative: boolean;
  readonly truncated: boolean;
  readonly answers: readonly dnsPacket.Answer[];
  readonly transport: 'udp' | 'tcp';
}

type RecordType = 'A' | 'AAAA';

function queryPacket(id: number, name: string, type: RecordType): dnsPacket.Packet {
  // flags 0: a standard query with RD clear, so the server answers from its own zone data only.
  return { type: 'query', id, flags: 0, questions: [{ type, name }] };
}

/** The reply when `packet` answers query `id` for `name`; anything else (stray or spoofed datagrams) is ignored. */
function replyTo(packet: dnsPacket.DecodedPacket, id: number, name: string, transport: 'udp' | 'tcp') {
  if (packet.type !== 'response' || packet.id !== id) return undefined;
  const question = packet.questions?.[0];
  if (question && normalName(question.name) !== normalName(name)) return undefined;
  return {
    rcode: (packet as { rcode?: string }).rcode ?? 'NOERROR',
    authoritative: packet.flag_aa,
    truncated: packet.flag_tc,
    answers: packet.answers ?? [],
    transport,
  } satisfies DnsReply;
}

function udpAttempt(address: string, name: string, type: RecordType, deps: AuthoritativeDnsDeps) {
  return new Promise<DnsReply | undefined>((resolve) => {
    const id = randomInt(0x10000);
    const socket = deps.udpSocket();
    let settled = false;
    const done = (reply: DnsReply | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), deps.timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('message', (message, from) => {
      // Only the server asked may answer (the id and question are checked too).
      if (from.address !== address || from.port !== deps.port) return;
      let reply: DnsReply | undefined;
      try {
        reply = replyTo(dnsPacket.decode(message), id, name, 'udp');
      } catch {
        return; // not a DNS packet: keep waiting for the real reply
      }
      if (reply) done(reply);
    });
    socket.send(dnsPacket.encode(queryPacket(id, name, type)), deps.port, address, (error) => {
      if (error) done(undefined);
    });
  });
}

function tcpQuery(address: string, name: string, type: RecordType, deps: AuthoritativeDnsDeps) {
  return new Promise<DnsReply | undefined>((resolve) => {
    const id = randomInt(0x10000);
    const socket = deps.tcpConnect(deps.port, address);
    let received = Buffer.alloc(0);
    let settled = false;
    const done = (reply: DnsReply | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), deps.timeoutMs);
    socket.on('error', () => done(undefined));
    socket.on('close', () => done(undefined));
    socket.on('connect', () => socket.write(dnsPacket.streamEncode(queryPacket(id, name, type))));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      // RFC 1035 §4.2.2: each message over TCP is preceded by its two-byte length.
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      try {
        done(replyTo(dnsPacket.decode(received.subarray(2, 2 + received.readUInt16BE(0))), id, name, 'tcp'));
      } catch {
        done(undefined);
      }
    });
  });
}

/** One question to one server: UDP with resends, then TCP when the UDP reply is truncated. Undefined: silent. */
async function ask(address: string, name: string, type: RecordType, deps: AuthoritativeDnsDeps) {
  for (let attempt = 0; attempt < deps.udpAttempts; attempt++) {
    const reply = await udpAttempt(address, name, type, deps);
    if (reply?.truncated) return tcpQuery(address, name, type, deps);
    if (reply) return reply;
  }
  return undefined;
}

/** What one name server said about a record. */
export type ServerAnswer = { readonly server: NameServer } & (
  | {
      readonly kind: 'answer';
      /** The CNAME's target, when the record is a CNAME. */
      readonly cname?: string;
      /** The A/AAAA addresses answered for the record's own name (an alias, or a plain record). */
      readonly addresses: readonly string[];
      /** NOERROR, or NXDOMAIN for a record the zone does not hold. */
      readonly rcode: string;
      readonly transport: 'udp' | 'tcp';
    }
  | { readonly kind: 'silent' }
  | { readonly kind: 'notAuthoritative' }
  | { readonly kind: 'error'; readonly rcode: string }
);

/** An answer's data as text (A, AAAA and CNAME data are strings). */
const answerData = (answer: dnsPacket.Answer) => String((answer as { data?: unknown }).data);

function readAnswer(server: NameServer, name: string, reply: DnsReply): ServerAnswer {
  if (reply.rcode !== 'NOERROR' && reply.rcode !== 'NXDOMAIN') return { server, kind: 'error', rcode: reply.rcode };
  if (!reply.authoritative) return { server, kind: 'notAuthoritative' };
  const own = reply.answers.filter((a) => normalName(a.name) === normalName(name));
  const cname = own.find((a) => a.type === 'CNAME');
  const addresses = own.filter((a) => a.type === 'A' || a.type === 'AAAA').map(answerData);
  return {
    server,
    kind: 'answer',
    ...(cname ? { cname: normalName(answerData(cname)) } : {}),
    addresses,
    rcode: reply.rcode,
    transport: reply.transport,
  };
}

/** What `server` says `name` is: asked for A, then for AAAA when the A answer holds neither CNAME nor address. */
async function askServer(server: NameServer, name: string, deps: AuthoritativeDnsDeps): Promise<ServerAnswer> {
  const a = await ask(server.address, name, 'A', deps);
  if (!a) return { server, kind: 'silent' };
  const answer = readAnswer(server, name, a);
  if (answer.kind !== 'answer' || answer.cname || answer.addresses.length > 0 || answer.rcode !== 'NOERROR')
    return answer;
  const aaaa = await ask(server.address, name, 'AAAA', deps);
  return aaaa ? readAnswer(server, name, aaaa) : { server, kind: 'silent' };
}

/** What each of `servers` says `name` is, all asked at once. */
export function askNameServers(
  servers: readonly NameServer[],
  name: string,
  deps: AuthoritativeDnsDeps,
): Promise<ServerAnswer[]> {
  return Promise.all(servers.map((server) => askServer(server, name, deps)));
}

/** A target as answers are compared with it: its name and the addresses that name resolves to now. */
export interface ResolvedTarget {
  readonly name: string;
  readonly addresses: readonly string[];
}

/** `name` with its current A and AAAA addresses (none when it does not resolve: then only a CNAME can match it). */
export async function resolveTarget(name: string, resolver: NameResolver): Promise<ResolvedTarget> {
  const [v4, v6] = await Promise.all([
    resolver.resolve4(name).catch(() => [] as string[]),
    resolver.resolve6(name).catch(() => [] as string[]),
  ]);
  return { name: normalName(name), addresses: [...v4, ...v6] };
}

/**
 * Whether an answer points at `target`: a CNAME by name (case and trailing dot ignored); addresses when they share
 * one with the target's and are not shared with `other`'s (a load balancer's addresses rotate, so the two sets seen
 * through different paths need not be equal; two targets sharing an address cannot be told apart by it).
 */
export function pointsAt(
  answer: Extract<ServerAnswer, { kind: 'answer' }>,
  target: ResolvedTarget,
  other: ResolvedTarget,
): boolean {
  if (answer.cname) return answer.cname === normalName(target.name);
  const overlaps = (t: ResolvedTarget) => answer.addresses.some((a) => t.addresses.includes(a));
  return overlaps(target) && !overlaps(other);
}

/** One line for a person: what an answer says (`CNAME x`, `A 1.2.3.4, 5.6.7.8`, `NXDOMAIN`, `no record`). */
export function describeAnswer(answer: ServerAnswer): string {
  switch (answer.kind) {
    case 'silent':
      return 'no reply';
    case 'notAuthoritative':
      return 'a reply without the authoritative (AA) flag';
    case 'error':
      return answer.rcode;
    case 'answer':
      if (answer.cname) return `CNAME ${answer.cname}`;
      if (answer.addresses.length > 0) return `addresses ${answer.addresses.join(', ')}`;
      return answer.rcode === 'NXDOMAIN' ? 'NXDOMAIN' : 'no A, AAAA or CNAME record';
  }
}
