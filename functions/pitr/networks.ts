/**
 * The validators of the point-in-time recovery: one per distinct `databases[].network.primary` (a Lambda joins
 * one VPC), in the plan's order. The construct creates them by this list and the recovery picks the copy's by
 * index, so both sides use this one function. Imports no CDK.
 */
import type { PlanDatabase } from '../../lib/plan';

/** One network a validator runs in, and the plan's databases it reaches. */
export interface ValidatorNetwork {
  readonly network: PlanDatabase['network']['primary'];
  readonly databases: string[];
}

function keyOf(network: PlanDatabase['network']['primary']): string {
  return JSON.stringify([network.vpcId, [...network.subnetIds].sort(), network.securityGroupId]);
}

/** The distinct primary-region networks of the plan's databases, first seen first. */
export function validatorNetworks(databases: readonly PlanDatabase[]): ValidatorNetwork[] {
  const byKey = new Map<string, ValidatorNetwork>();
  for (const db of databases) {
    const key = keyOf(db.network.primary);
    const found = byKey.get(key);
    if (found) found.databases.push(db.id);
    else byKey.set(key, { network: db.network.primary, databases: [db.id] });
  }
  return [...byKey.values()];
}

/** Index in `validatorNetworks` of the network that reaches `databaseId`. */
export function validatorIndex(databases: readonly PlanDatabase[], databaseId: string): number {
  return validatorNetworks(databases).findIndex((n) => n.databases.includes(databaseId));
}
