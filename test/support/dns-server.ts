/**
 * A stand-in for a Route 53 hosted zone's name servers, on 127.0.0.1 to 127.0.0.4 (all on Linux's loopback), UDP
 * and TCP, one port for all. It serves the zone's NS (`ns-1.awsdns-test.net` … one name per address), their A
 * records, and the records given; it also answers the recursive lookups of discovery, so a `dns.promises.Resolver`
 * pointed at it with `setServers` runs the reader's real path. Each address can be made silent, not
 * authoritative, SERVFAIL or truncated (TC over UDP, the full answer over TCP), and can hold its own records (a
 * server that disagrees). Built with dns-packet, as the reader is.
 */
import dgram from 'node:dgram';
import { promises as dns } from 'node:dns';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';

/** The four loopback addresses the zone's name servers listen on. */
export const NAME_SERVER_ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'] as const;
type Address = (typeof NAME_SERVER_ADDRESSES)[number];

/** How one address behaves. */
export type ServerMode = 'normal' | 'silent' | 'notAuthoritative' | 'servfail' | 'truncated';

/** A record the server holds: a CNAME, or addresses (what Route 53 answers for an alias). */
export type ZoneRecord =
  | { readonly cname: string }
  | { readonly a?: readonly string[]; readonly aaaa?: readonly string[] };

/** One query the server received. */
export interface ReceivedQuery {
  readonly address: string;
  readonly transport: 'udp' | 'tcp';
  readonly name: string;
  readonly type: string;
  readonly recursionDesired: boolean;
}

/** The running server. */
export interface LocalDnsServer {
  readonly port: number;
  /** Name and address of each of the zone's name servers, as NS and A records give them. */
  readonly nameServers: readonly { readonly name: string; readonly address: Address }[];
  /** Every query received, in order. */
  readonly queries: ReceivedQuery[];
  setMode(address: Address, mode: ServerMode): void;
  /** Records `address` serves instead of the shared ones, all of them (`undefined`: back to the shared ones). */
  setRecords(address: Address, records: Readonly<Record<string, ZoneRecord>> | undefined): void;
  /** A resolver whose only server is this one at `address` (default 127.0.0.1), as discovery uses it. */
  resolver(address?: Address): dns.Resolver;
  close(): Promise<void>;
}

const lower = (name: string) => name.toLowerCase().replace(/\.$/, '');

function answersFor(
  name: string,
  type: string,
  records: Readonly<Record<string, ZoneRecord>>,
  depth = 0,
): dnsPacket.Answer[] | undefined {
  const record = records[lower(name)];
  if (!record || depth > 4) return undefined;
  if ('cname' in record) {
    const chained = answersFor(record.cname, type, records, depth + 1) ?? [];
    return [{ type: 'CNAME', name, ttl: 60, data: record.cname }, ...chained];
  }
  if (type === 'A') return (record.a ?? []).map((data) => ({ type: 'A', name, ttl: 60, data }));
  if (type === 'AAAA') return (record.aaaa ?? []).map((data) => ({ type: 'AAAA', name, ttl: 60, data }));
  return [];
}

function bindUdp(port: number, address: string): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, address, () => resolve(socket));
  });
}

function listenTcp(server: net.Server, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
}

/** Starts the zone `zone` serving `records` (names without trailing dot) on one free port of all four addresses. */
export async function startDnsServer(
  zone: string,
  records: Readonly<Record<string, ZoneRecord>>,
): Promise<LocalDnsServer> {
  const nameServers = NAME_SERVER_ADDRESSES.map((address, i) => ({ name: `ns-${i + 1}.awsdns-test.net`, address }));
  const modes = new Map<string, ServerMode>();
  const overrides = new Map<string, Readonly<Record<string, ZoneRecord>>>();
  const queries: ReceivedQuery[] = [];
  const shared: Record<string, ZoneRecord> = Object.fromEntries(
    Object.entries(records).map(([name, record]) => [lower(name), record]),
  );
  const nsAddresses = Object.fromEntries(nameServers.map((ns) => [ns.name, { a: [ns.address] }]));
  Object.assign(shared, nsAddresses);
  const held = new Set<net.Socket>();

  const reply = (address: string, transport: 'udp' | 'tcp', message: Buffer): Buffer | undefined => {
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (!question) return undefined;
    queries.push({
      address,
      transport,
      name: question.name,
      type: question.type,
      recursionDesired: query.flag_rd,
    });
    const mode = modes.get(address) ?? 'normal';
    if (mode === 'silent') return undefined;
    const base = { type: 'response' as const, id: query.id, questions: [question] };
    if (mode === 'servfail') return dnsPacket.encode({ ...base, flags: 2 });
    const own = overrides.get(address);
    const served = own ? { ...own, ...nsAddresses } : shared;
    let answers: dnsPacket.Answer[] | undefined;
    if (question.type === 'NS' && lower(question.name) === lower(zone)) {
      answers = nameServers.map((ns) => ({ type: 'NS', name: zone, ttl: 172800, data: ns.name }));
    } else {
      answers = answersFor(question.name, question.type, served);
    }
    const aa = mode === 'notAuthoritative' ? 0 : dnsPacket.AUTHORITATIVE_ANSWER;
    if (mode === 'truncated' && transport === 'udp') {
      return dnsPacket.encode({ ...base, flags: aa | dnsPacket.TRUNCATED_RESPONSE, answers: [] });
    }
    const rcode = answers ? 0 : 3; // NXDOMAIN for a name the zone does not hold
    return dnsPacket.encode({ ...base, flags: aa | rcode, answers: answers ?? [] });
  };

  for (let tries = 0; ; tries++) {
    const first = await bindUdp(0, NAME_SERVER_ADDRESSES[0]);
    const port = first.address().port;
    const udp: dgram.Socket[] = [first];
    const tcp: net.Server[] = [];
    try {
      for (const address of NAME_SERVER_ADDRESSES.slice(1)) udp.push(await bindUdp(port, address));
      for (const address of NAME_SERVER_ADDRESSES) {
        const server = net.createServer((socket) => {
          held.add(socket);
          socket.on('close', () => held.delete(socket));
          socket.on('error', () => undefined);
          let buffered = Buffer.alloc(0);
          socket.on('data', (chunk) => {
            buffered = Buffer.concat([buffered, chunk]);
            if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
            const out = reply(address, 'tcp', buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
            buffered = Buffer.alloc(0);
            if (!out) return; // silent: hold the connection open, as an unreachable server would
            const length = Buffer.alloc(2);
            length.writeUInt16BE(out.length);
            socket.write(Buffer.concat([length, out]));
          });
        });
        await listenTcp(server, port, address);
        tcp.push(server);
      }
    } catch (error) {
      for (const s of udp) s.close();
      for (const s of tcp) s.close();
      if (tries >= 20) throw error;
      continue;
    }
    udp.forEach((socket, i) => {
      const address = NAME_SERVER_ADDRESSES[i]!;
      socket.on('message', (message, from) => {
        const out = reply(address, 'udp', message);
        if (out) socket.send(out, from.port, from.address);
      });
    });
    return {
      port,
      nameServers,
      queries,
      setMode: (address, mode) => modes.set(address, mode),
      setRecords: (address, own) => {
        if (own) overrides.set(address, Object.fromEntries(Object.entries(own).map(([n, r]) => [lower(n), r])));
        else overrides.delete(address);
      },
      resolver: (address = '127.0.0.1') => {
        const resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
        resolver.setServers([`${address}:${port}`]);
        return resolver;
      },
      close: async () => {
        for (const socket of held) socket.destroy();
        for (const socket of udp) socket.close();
        await Promise.all(tcp.map((server) => new Promise((resolve) => server.close(resolve))));
      },
    };
  }
}
