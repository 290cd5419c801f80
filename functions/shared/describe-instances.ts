/**
 * Many RDS instances read in few calls, as the fleet checks share them: `DescribeDBInstances` with a
 * `db-instance-id` filter of up to 100 ids a call (RDS API Reference, DescribeDBInstances `Filters`), paged.
 */
import { DescribeDBInstancesCommand, type DBInstance, type RDSClient } from '@aws-sdk/client-rds';
import { isAccessDenied, translateAwsError } from './errors';
import { paginate } from './paginate';

/** Ids per `db-instance-id` filter: a bound that keeps each call small. */
const IDS_PER_DESCRIBE = 100;
/** Pages per call at most (a filter of 100 ids fits one page of 100; the bound catches a looping marker). */
const MAX_DESCRIBE_PAGES = 20;

/** The instances found, by lower-case id; or, when the role may not read them, the permission it needs. */
export type Instances = { byId: Map<string, DBInstance> } | { unreadable: string };

/**
 * The instances among `ids` that exist in `rds`'s region (`where` names it in messages). Access denied is an
 * answer (`unreadable`, naming `rds:DescribeDBInstances`); other errors are translated (throttling:
 * `ThrottledError`).
 */
export async function describeInstances(
  rds: Pick<RDSClient, 'send'>,
  ids: readonly string[],
  where: string,
): Promise<Instances> {
  const byId = new Map<string, DBInstance>();
  try {
    for (let i = 0; i < ids.length; i += IDS_PER_DESCRIBE) {
      const values = ids.slice(i, i + IDS_PER_DESCRIBE);
      const pages = paginate({
        fetch: (marker) =>
          rds.send(
            new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: values }], Marker: marker }),
          ),
        next: (out) => out.Marker,
        maxPages: MAX_DESCRIBE_PAGES,
        what: `rds:DescribeDBInstances in ${where}`,
      });
      for await (const page of pages)
        for (const instance of page.DBInstances ?? [])
          if (instance.DBInstanceIdentifier) byId.set(instance.DBInstanceIdentifier.toLowerCase(), instance);
    }
  } catch (error) {
    if (isAccessDenied(error)) return { unreadable: `the function's role needs rds:DescribeDBInstances in ${where}` };
    translateAwsError(error, 'rds:DescribeDBInstances', where);
  }
  return { byId };
}
