/**
 * Readiness check 6, informational: can the primary targets be reached at all (TCP to 443, no TLS: a load
 * balancer's own DNS name matches no certificate)? Unreachable WARNs and never FAILs: readiness holds during a
 * us-east-1 outage, when the other results are exactly what a failover meets.
 */
import net from 'node:net';
import type { DrPlan } from '../../lib/plan';
import type { CheckResult } from '../shared/check-result';

/** Opens a TCP connection and resolves when it is established, rejects on error or after `timeoutMs`. */
export type TcpProbe = (host: string, port: number, timeoutMs: number) => Promise<void>;

/** What the check needs: a TCP probe and the port (443, except in tests). */
export interface ReachabilityDeps {
  readonly probe: TcpProbe;
  readonly port: number;
}

/** How long a connection may take before the target counts as unreachable. */
const CONNECT_TIMEOUT_MS = 5_000;

/** A TCP probe over node's `net`: connects, then closes at once. */
export const tcpProbe: TcpProbe = (host, port, timeoutMs) =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(error.code ?? error.message));
    });
  });

/** One result per distinct primary target. */
export async function checkPrimaryReachability(plan: DrPlan, deps: ReachabilityDeps): Promise<CheckResult[]> {
  const targets = [...new Set(plan.dns.records.map((r) => r.primaryTarget))];
  return Promise.all(
    targets.map(async (host): Promise<CheckResult> => {
      const base = {
        check: 'primary-reachability',
        target: `${host}:${deps.port}`,
        threshold: CONNECT_TIMEOUT_MS / 1000,
      };
      const started = Date.now();
      try {
        await deps.probe(host, deps.port, CONNECT_TIMEOUT_MS);
        return {
          ...base,
          status: 'PASS',
          observed: 'reachable',
          detail: `${host} accepted a TCP connection on ${deps.port} in ${Date.now() - started} ms`,
        };
      } catch (error) {
        return {
          ...base,
          status: 'WARN',
          observed: 'unreachable',
          detail: `the primary target ${host} is unreachable on ${deps.port} (${error instanceof Error ? error.message : String(error)}): if us-east-1 is down, the results above are what a failover meets now`,
        };
      }
    }),
  );
}
