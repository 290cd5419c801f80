/**
 * The freshness monitor as its own CloudFormation custom resource: on every deployment that creates or changes
 * the watched jobs, CloudFormation invokes the monitor before the overdue alarms are created, so each alarm's
 * first evaluation finds a datapoint rather than missing data (which those alarms treat as breaching).
 *
 * CloudFormation waits for a response PUT to the pre-signed `ResponseURL` (an empty content type, the fields
 * below); a custom resource that never answers holds the stack for an hour. So every request is answered, and
 * always SUCCESS: a monitor that fails here is a monitoring problem, reported by the monitor's errors alarm on its
 * daily runs, not a reason to roll back the deployment.
 */

/** The part of a CloudFormation custom-resource request the hook reads. */
export interface DeployEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
}

/** The resource's physical id: one per stack, stable, so an Update never replaces it. */
export const FIRST_RUN_RESOURCE_ID = 'freshness-first-run';

/** Whether an invocation came from CloudFormation (a custom-resource request) rather than the schedule. */
export function isDeployEvent(event: unknown): event is DeployEvent {
  const e = event as Partial<DeployEvent> | undefined;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.ResponseURL === 'string' &&
    (e.RequestType === 'Create' || e.RequestType === 'Update' || e.RequestType === 'Delete')
  );
}

/** What the hook does besides running the monitor: answer CloudFormation, and log. */
export interface DeployHookDeps {
  /** PUTs the response body to the pre-signed URL. */
  readonly respond: (url: string, body: string) => Promise<void>;
  readonly warn: (message: string) => void;
}

/** Runs the monitor on Create and Update (not on Delete), then answers CloudFormation SUCCESS. */
export async function answerDeploy(
  event: DeployEvent,
  runMonitor: () => Promise<unknown>,
  deps: DeployHookDeps,
): Promise<{ ran: boolean }> {
  let reason = 'freshness monitor ran';
  let ran = false;
  if (event.RequestType === 'Delete') {
    reason = 'nothing to remove';
  } else {
    try {
      await runMonitor();
      ran = true;
    } catch (error) {
      reason = `freshness monitor failed at deploy (its daily run will retry): ${(error as Error)?.name ?? 'Error'}`;
      deps.warn(reason);
    }
  }
  const body = JSON.stringify({
    Status: 'SUCCESS',
    Reason: reason,
    PhysicalResourceId: event.PhysicalResourceId ?? FIRST_RUN_RESOURCE_ID,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  await deps.respond(event.ResponseURL, body);
  return { ran };
}

/** PUTs a custom-resource response: CloudFormation's pre-signed URL requires an empty content type. */
export async function putResponse(url: string, body: string): Promise<void> {
  const response = await fetch(url, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) throw new Error(`CloudFormation response refused: HTTP ${response.status}`);
}
