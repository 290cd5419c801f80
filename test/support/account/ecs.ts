/**
 * Amazon ECS (Fargate) in the account model: RunTask, ListTasks, DescribeTasks, StopTask, and Step Functions'
 * `arn:aws:states:::ecs:runTask.sync`, members checked against `@aws-sdk/client-ecs`'s schema like every other
 * service (schema.ts): Pascal case on the optimized integration, Java case on `aws-sdk:ecs:*`.
 *
 * What it models (Amazon ECS API Reference; "Run Amazon ECS or Fargate tasks with Step Functions", connect-ecs):
 * - A task goes PROVISIONING → PENDING → RUNNING → STOPPED on the model clock (`durations`); its desired status is
 *   RUNNING until it stops or StopTask is called. ListTasks' `desiredStatus` filters on the desired status (RUNNING
 *   lists provisioning and pending tasks too); `startedBy` cannot be combined with `family`.
 * - The container is played by a test handler (`container`): environment in (the task definition's, then the
 *   overrides'), exit code and run time out; it may write the runner's report (`atExit`). StopTask sends SIGTERM:
 *   the container exits with `exitOnStop` (the runner's 3) after `durations.stopping`, StopCode `UserInitiated`.
 * - A task that cannot start (`failToStart`) stops from PENDING with StopCode `TaskFailedToStart` and no exit
 *   code; RunTask answers `failures` when the test made placement fail (`placementFailures`).
 * - `.sync`: the state ends when the task is STOPPED. Essential container exit 0: the output is the task,
 *   Pascal-cased. A non-zero exit or a task that never started fails it `States.TaskFailed` with the task as JSON
 *   Cause; RunTask `Failures` fail it `AmazonECS.Unknown`; an ECS API error is `ECS.<exception>`. The state's
 *   `TimeoutSeconds` is not visible to the model (the harness drops it): a test sets `syncTimeoutSeconds` to it,
 *   and a task still running then fails the state `States.Timeout` and keeps running — as on AWS, where only an
 *   aborted execution stops a `.sync` task.
 */
import { StatesError, ServiceFault } from './errors';
import type { Ctx } from './rds-state';
import { fromModelNames, operationSchema } from './schema';

type Input = Record<string, unknown>;

/** What the test's container does once its task is RUNNING. */
export interface ContainerRun {
  /** Seconds until it exits on its own. @default 600 */
  readonly runSeconds?: number;
  /** Its exit code when it exits on its own. */
  readonly exitCode: number;
  /** Exit code on SIGTERM (StopTask, or the stop timeout). @default 3 (the restore runner's "interrupted") */
  readonly exitOnStop?: number;
  /** Runs when it exits (either way): e.g. writes the runner's report into the model's S3. */
  readonly atExit?: (how: 'exited' | 'stopped') => void;
}

/** A task that never starts (e.g. `ResourceInitializationError` without endpoints). */
export interface StartFailure {
  readonly failToStart: string;
}

/** The test's container: the task's environment in, what it does out. */
export type ContainerHandler = (run: {
  readonly environment: Readonly<Record<string, string>>;
  readonly taskArn: string;
  readonly group: string;
}) => ContainerRun | StartFailure;

export interface EcsTaskDefinition {
  readonly region: string;
  readonly family: string;
  readonly container: string;
  readonly environment: Readonly<Record<string, string>>;
}

export interface EcsTask {
  readonly taskArn: string;
  readonly region: string;
  readonly clusterArn: string;
  readonly family: string;
  readonly group: string;
  readonly startedBy?: string;
  readonly tags: { key: string; value: string }[];
  readonly environment: Record<string, string>;
  readonly network: unknown;
  readonly container: string;
  lastStatus: 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'DEPROVISIONING' | 'STOPPED';
  desiredStatus: 'RUNNING' | 'STOPPED';
  createdAt: Date;
  startedAt?: Date;
  stoppingAt?: Date;
  stoppedAt?: Date;
  stopCode?: string;
  stoppedReason?: string;
  exitCode?: number;
  containerReason?: string;
  run?: ContainerRun;
}

/** Seconds each phase takes on the model clock. */
export interface EcsDurations {
  provisioning: number;
  pending: number;
  /** From SIGTERM to the container's exit (at most the stop timeout). */
  stopping: number;
}

let taskCounter = 0;

export class EcsModel {
  readonly clusters = new Map<string, { region: string; name: string }>();
  readonly taskDefinitions = new Map<string, EcsTaskDefinition>();
  readonly tasks = new Map<string, EcsTask>();
  readonly durations: EcsDurations = { provisioning: 30, pending: 60, stopping: 20 };
  /** Plays the container. @default - exits 0 after 600 s */
  container: ContainerHandler = () => ({ exitCode: 0, runSeconds: 600 });
  /** RunTask calls that answer with `failures` (no task placed), and the reason given. */
  placementFailures: { count: number; reason: string } = { count: 0, reason: '' };
  /** The `.sync` state's TimeoutSeconds, which the harness does not pass to the model. */
  syncTimeoutSeconds?: number;

  addCluster(region: string, account: string, name: string): string {
    const arn = `arn:aws:ecs:${region}:${account}:cluster/${name}`;
    this.clusters.set(arn, { region, name });
    return arn;
  }

  addTaskDefinition(definition: EcsTaskDefinition): void {
    this.taskDefinitions.set(`${definition.region}/${definition.family}`, definition);
  }

  /** Tasks of a cluster (any status), oldest first. */
  tasksOf(clusterArn: string): EcsTask[] {
    return [...this.tasks.values()].filter((t) => t.clusterArn === clusterArn);
  }

  private cluster(ctx: Ctx, ref: unknown): string {
    const raw = ref === undefined ? 'default' : String(ref);
    const region = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):/.exec(raw)?.[1];
    if (region && region !== ctx.region) ctx.refuse(`call in ${ctx.region} aimed at ${raw} (a cluster in ${region})`);
    const arn = raw.startsWith('arn:') ? raw : `arn:aws:ecs:${ctx.region}:${ctx.account}:cluster/${raw}`;
    if (!this.clusters.has(arn)) throw new ServiceFault('ClusterNotFoundException', 'Cluster not found.', 400);
    return arn;
  }

  private definition(ctx: Ctx, ref: unknown): EcsTaskDefinition {
    const raw = String(ref ?? '');
    // family, family:revision, or an ARN ending in task-definition/family[:revision]
    const family = (raw.includes('task-definition/') ? raw.split('task-definition/')[1] : raw)?.split(':')[0] ?? '';
    const definition = this.taskDefinitions.get(`${ctx.region}/${family}`);
    if (!definition) throw new ServiceFault('ClientException', 'Unable to describe task definition.', 400);
    return definition;
  }

  RunTask(ctx: Ctx, input: Input): unknown {
    const clusterArn = this.cluster(ctx, input.cluster);
    const definition = this.definition(ctx, input.taskDefinition);
    if (input.launchType !== 'FARGATE' && input.capacityProviderStrategy === undefined)
      throw new ServiceFault('InvalidParameterException', 'The task definition requires the FARGATE launch type.', 400);
    const awsvpc = (input.networkConfiguration as Input | undefined)?.awsvpcConfiguration as Input | undefined;
    if (!awsvpc || !Array.isArray(awsvpc.subnets) || awsvpc.subnets.length === 0)
      throw new ServiceFault(
        'InvalidParameterException',
        "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
        400,
      );
    const group = input.group === undefined ? `family:${definition.family}` : String(input.group);
    if (group.length > 255)
      throw new ServiceFault('InvalidParameterException', 'Group name must be at most 255 characters.', 400);
    const environment: Record<string, string> = { ...definition.environment };
    const overrides = ((input.overrides as Input | undefined)?.containerOverrides as Input[] | undefined) ?? [];
    for (const o of overrides) {
      if (o.name !== definition.container)
        throw new ServiceFault(
          'InvalidParameterException',
          `Override for container named ${String(o.name)} is not a container in the TaskDefinition.`,
          400,
        );
      for (const e of (o.environment as Input[] | undefined) ?? []) environment[String(e.name)] = String(e.value);
    }
    if (JSON.stringify(input.overrides ?? {}).length > 8192)
      throw new ServiceFault('InvalidParameterException', 'Container Overrides length must be at most 8192', 400);
    if (this.placementFailures.count > 0) {
      this.placementFailures.count -= 1;
      return { tasks: [], failures: [{ reason: this.placementFailures.reason }] };
    }
    taskCounter += 1;
    const id = `${taskCounter.toString(16).padStart(8, '0')}0000000000000000000000000`.slice(0, 32);
    const task: EcsTask = {
      taskArn: `arn:aws:ecs:${ctx.region}:${ctx.account}:task/${this.clusters.get(clusterArn)?.name}/${id}`,
      region: ctx.region,
      clusterArn,
      family: definition.family,
      group,
      startedBy: input.startedBy === undefined ? undefined : String(input.startedBy),
      tags: ((input.tags as { key: string; value: string }[] | undefined) ?? []).map((t) => ({ ...t })),
      environment,
      network: structuredClone(input.networkConfiguration),
      container: definition.container,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      createdAt: ctx.now(),
    };
    this.tasks.set(task.taskArn, task);
    ctx.schedule(this.durations.provisioning, () => this.pending(ctx, task));
    return { tasks: [this.describe(task)], failures: [] };
  }

  private pending(ctx: Ctx, task: EcsTask): void {
    if (task.lastStatus === 'STOPPED') return;
    task.lastStatus = 'PENDING';
    if (task.desiredStatus === 'STOPPED') {
      this.stopped(ctx, task, 'UserInitiated', task.stoppedReason ?? 'Task stopped by user');
      return;
    }
    const played = this.container({ environment: { ...task.environment }, taskArn: task.taskArn, group: task.group });
    ctx.schedule(this.durations.pending, () => {
      if ('failToStart' in played) {
        this.stopped(ctx, task, 'TaskFailedToStart', played.failToStart);
        return;
      }
      if (task.desiredStatus === 'STOPPED') {
        this.stopped(ctx, task, 'UserInitiated', task.stoppedReason ?? 'Task stopped by user');
        return;
      }
      task.lastStatus = 'RUNNING';
      task.startedAt = ctx.now();
      task.run = played;
      ctx.schedule(played.runSeconds ?? 600, () => {
        if (task.lastStatus !== 'RUNNING') return;
        task.exitCode = played.exitCode;
        played.atExit?.('exited');
        this.stopped(ctx, task, 'EssentialContainerExited', 'Essential container in task exited');
      });
    });
  }

  private stopped(ctx: Ctx, task: EcsTask, stopCode: string, reason: string): void {
    if (task.lastStatus === 'STOPPED') return;
    task.lastStatus = 'STOPPED';
    task.desiredStatus = 'STOPPED';
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    task.stoppingAt ??= ctx.now();
    task.stoppedAt = ctx.now();
  }

  ListTasks(ctx: Ctx, input: Input): unknown {
    const clusterArn = this.cluster(ctx, input.cluster);
    if (input.startedBy !== undefined && (input.family !== undefined || input.serviceName !== undefined))
      throw new ServiceFault('InvalidParameterException', 'startedBy must be the only filter', 400);
    const desired = input.desiredStatus === undefined ? 'RUNNING' : String(input.desiredStatus);
    const max = input.maxResults === undefined ? 100 : Number(input.maxResults);
    if (!(max >= 1 && max <= 100))
      throw new ServiceFault('InvalidParameterException', 'maxResults must be between 1 and 100', 400);
    const arns = this.tasksOf(clusterArn)
      .filter(
        (t) =>
          t.desiredStatus === desired &&
          (input.family === undefined || t.family === input.family) &&
          (input.startedBy === undefined || t.startedBy === input.startedBy),
      )
      .map((t) => t.taskArn);
    return arns.length > max ? { taskArns: arns.slice(0, max), nextToken: String(max) } : { taskArns: arns };
  }

  DescribeTasks(ctx: Ctx, input: Input): unknown {
    const clusterArn = this.cluster(ctx, input.cluster);
    const refs = (input.tasks as unknown[] | undefined) ?? [];
    if (refs.length === 0 || refs.length > 100)
      throw new ServiceFault('InvalidParameterException', 'Tasks must hold 1 to 100 tasks', 400);
    const tasks: unknown[] = [];
    const failures: unknown[] = [];
    for (const ref of refs) {
      const task = this.find(clusterArn, ref);
      if (task) tasks.push(this.describe(task));
      else failures.push({ arn: String(ref), reason: 'MISSING' });
    }
    return { tasks, failures };
  }

  StopTask(ctx: Ctx, input: Input): unknown {
    const clusterArn = this.cluster(ctx, input.cluster);
    const task = this.find(clusterArn, input.task);
    if (!task) throw new ServiceFault('InvalidParameterException', 'The referenced task was not found.', 400);
    if (task.lastStatus !== 'STOPPED' && task.desiredStatus !== 'STOPPED') {
      task.desiredStatus = 'STOPPED';
      task.stoppingAt = ctx.now();
      task.stoppedReason = input.reason === undefined ? 'Task stopped by user' : String(input.reason);
      if (task.lastStatus === 'RUNNING') {
        ctx.schedule(this.durations.stopping, () => {
          if (task.lastStatus !== 'RUNNING') return;
          task.exitCode = task.run?.exitOnStop ?? 3;
          task.run?.atExit?.('stopped');
          this.stopped(ctx, task, 'UserInitiated', task.stoppedReason ?? 'Task stopped by user');
        });
      }
    }
    return { task: this.describe(task) };
  }

  private find(clusterArn: string, ref: unknown): EcsTask | undefined {
    const raw = String(ref ?? '');
    return this.tasksOf(clusterArn).find((t) => t.taskArn === raw || t.taskArn.endsWith(`/${raw}`));
  }

  /** A task as DescribeTasks answers it (the service model's names). */
  describe(task: EcsTask): Record<string, unknown> {
    return {
      taskArn: task.taskArn,
      clusterArn: task.clusterArn,
      taskDefinitionArn: `arn:aws:ecs:${task.region}:${task.taskArn.split(':')[4]}:task-definition/${task.family}:1`,
      group: task.group,
      startedBy: task.startedBy,
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      createdAt: task.createdAt,
      startedAt: task.startedAt,
      stoppingAt: task.stoppingAt,
      stoppedAt: task.stoppedAt,
      stopCode: task.stopCode,
      stoppedReason: task.stoppedReason,
      tags: task.tags.map((t) => ({ ...t })),
      containers: [
        {
          name: task.container,
          taskArn: task.taskArn,
          lastStatus: task.lastStatus === 'STOPPED' ? 'STOPPED' : task.lastStatus === 'RUNNING' ? 'RUNNING' : 'PENDING',
          exitCode: task.exitCode,
          reason: task.containerReason,
        },
      ],
    };
  }
}

/**
 * The rest of `ecs:runTask.sync` once RunTask answered: fails `AmazonECS.Unknown` on `failures`, then waits on the
 * model clock until the task stopped (or `syncTimeoutSeconds` passed: `States.Timeout`, the task left running), and
 * returns the stopped task Pascal-cased or fails `States.TaskFailed` with it as the Cause.
 */
export function awaitTaskStopped(
  ecs: EcsModel,
  answer: Record<string, unknown>,
  now: () => Date,
  advance: (seconds: number) => void,
): unknown {
  const failures = (answer.failures as unknown[] | undefined) ?? [];
  const schema = operationSchema('ecs', 'DescribeTasks');
  const pascal = (value: unknown) =>
    fromModelNames({ tasks: [value] }, schema?.output, 'pascal') as { Tasks: unknown[] };
  if (failures.length > 0) {
    throw new StatesError(
      'AmazonECS.Unknown',
      `Tasks provisioning failure: ${JSON.stringify(fromModelNames({ failures }, schema?.output, 'pascal'))}`,
    );
  }
  const arn = String((answer.tasks as Record<string, unknown>[] | undefined)?.[0]?.taskArn);
  const task = ecs.tasks.get(arn);
  if (!task) throw new Error(`ecs:runTask.sync: RunTask answered no task (${arn})`);
  const started = now().getTime();
  const limit = ecs.syncTimeoutSeconds;
  while (task.lastStatus !== 'STOPPED') {
    const elapsed = (now().getTime() - started) / 1000;
    if (limit !== undefined && elapsed >= limit)
      throw new StatesError(
        'States.Timeout',
        `Task timed out after ${limit} seconds (${task.taskArn} is ${task.lastStatus})`,
      );
    advance(Math.min(5, limit === undefined ? 5 : limit - elapsed));
  }
  const described = pascal(ecs.describe(task)).Tasks[0];
  if (task.stopCode === 'TaskFailedToStart' || (task.exitCode ?? 0) !== 0)
    throw new StatesError('States.TaskFailed', JSON.stringify(described));
  return described;
}
