import { AccountModel } from '../../support/account/model';

const E = 'us-east-1';
const SYNC = 'arn:aws:states:::ecs:runTask.sync';

function ecsModel(): { m: AccountModel; cluster: string } {
  const m = new AccountModel({ now: new Date('2026-12-01T08:00:00Z') });
  const cluster = m.ecs.addCluster(E, m.account, 'restore');
  m.ecs.addTaskDefinition({ region: E, family: 'edr-dump-restore-test', container: 'Runner', environment: { A: '1' } });
  return { m, cluster };
}

const runTask = (cluster: string, extra: Record<string, unknown> = {}) => ({
  Cluster: cluster,
  TaskDefinition: 'edr-dump-restore-test',
  LaunchType: 'FARGATE',
  NetworkConfiguration: { AwsvpcConfiguration: { Subnets: ['subnet-1'], AssignPublicIp: 'DISABLED' } },
  Group: 'edr:run-1',
  ...extra,
});

describe('AccountModel ECS', () => {
  it('takes Pascal case on ecs:runTask.sync and refuses the JavaScript names', async () => {
    const { m, cluster } = ecsModel();

    await expect(m.sfnCall(E, SYNC, { cluster, taskDefinition: 'edr-dump-restore-test' })).rejects.toMatchObject({
      name: 'ModelRejectedCall',
      message: expect.stringMatching(/optimized integrations use Cluster, not cluster/),
    });
    await expect(m.sfnCall(E, SYNC, runTask(cluster, { Grupo: 'x' }))).rejects.toMatchObject({
      name: 'ModelRejectedCall',
      message: expect.stringMatching(/Grupo is not a member of RunTaskRequest/),
    });
  });

  it('moves a task PROVISIONING → PENDING → RUNNING → STOPPED on the model clock, the container playing its part', async () => {
    const { m, cluster } = ecsModel();
    const seen: Record<string, string>[] = [];
    m.ecs.container = ({ environment }) => {
      seen.push({ ...environment });
      return { exitCode: 0, runSeconds: 100 };
    };

    const answer = (await m.sdkCall(E, 'ecs', 'RunTask', {
      cluster,
      taskDefinition: 'edr-dump-restore-test',
      launchType: 'FARGATE',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
      overrides: { containerOverrides: [{ name: 'Runner', environment: [{ name: 'B', value: '2' }] }] },
    })) as { tasks: { taskArn: string }[] };
    const task = m.ecs.tasks.get(answer.tasks[0]!.taskArn)!;
    const statuses = [task.lastStatus];
    for (const seconds of [m.ecs.durations.provisioning, m.ecs.durations.pending, 100]) {
      m.advance(seconds);
      statuses.push(task.lastStatus);
    }

    expect(statuses).toEqual(['PROVISIONING', 'PENDING', 'RUNNING', 'STOPPED']);
    expect(seen).toEqual([{ A: '1', B: '2' }]);
    expect(task).toMatchObject({
      exitCode: 0,
      stopCode: 'EssentialContainerExited',
      group: 'family:edr-dump-restore-test',
    });
  });

  it('returns the stopped task Pascal-cased from .sync after exit 0, and fails States.TaskFailed with it after exit 1', async () => {
    const { m, cluster } = ecsModel();
    m.ecs.container = () => ({ exitCode: 0, runSeconds: 60 });
    const ok = (await m.sfnCall(E, SYNC, runTask(cluster))) as Record<string, any>;
    m.ecs.container = () => ({ exitCode: 1, runSeconds: 60 });

    const failed = m.sfnCall(E, SYNC, runTask(cluster));

    expect(ok).toMatchObject({
      LastStatus: 'STOPPED',
      StopCode: 'EssentialContainerExited',
      StoppedReason: 'Essential container in task exited',
      Group: 'edr:run-1',
      Containers: [{ Name: 'Runner', ExitCode: 0 }],
    });
    const error = await failed.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).toBe('States.TaskFailed');
    expect(JSON.parse(error!.message)).toMatchObject({
      StopCode: 'EssentialContainerExited',
      Containers: [{ ExitCode: 1 }],
    });
  });

  it('fails .sync AmazonECS.Unknown when RunTask answers failures, and ECS.<exception> on an ECS error', async () => {
    const { m, cluster } = ecsModel();
    m.ecs.placementFailures = { count: 1, reason: 'Capacity is unavailable at this time.' };

    await expect(m.sfnCall(E, SYNC, runTask(cluster))).rejects.toMatchObject({ name: 'AmazonECS.Unknown' });
    await expect(
      m.sfnCall(E, SYNC, runTask('arn:aws:ecs:us-east-1:123456789012:cluster/missing')),
    ).rejects.toMatchObject({ name: 'ECS.ClusterNotFoundException' });
    m.injectFault({ service: 'ecs', action: 'RunTask', error: 'ThrottlingException', times: 1 });
    await expect(m.sfnCall(E, SYNC, runTask(cluster))).rejects.toMatchObject({ name: 'ECS.AmazonECSException' });
  });

  it('times .sync out at syncTimeoutSeconds and leaves the task running, as Step Functions does', async () => {
    const { m, cluster } = ecsModel();
    m.ecs.syncTimeoutSeconds = 600;
    m.ecs.container = () => ({ exitCode: 0, runSeconds: 3600 });
    const start = m.now().getTime();

    await expect(m.sfnCall(E, SYNC, runTask(cluster))).rejects.toMatchObject({ name: 'States.Timeout' });

    expect((m.now().getTime() - start) / 1000).toBe(600);
    expect(m.ecs.tasksOf(cluster).map((t) => [t.lastStatus, t.desiredStatus])).toEqual([['RUNNING', 'RUNNING']]);
  });

  it('lists, describes and stops tasks in Java case on aws-sdk:ecs, and the container exits 3 on SIGTERM', async () => {
    const { m, cluster } = ecsModel();
    m.ecs.syncTimeoutSeconds = 300;
    m.ecs.container = () => ({ exitCode: 0, runSeconds: 3600 });
    await m.sfnCall(E, SYNC, runTask(cluster)).catch(() => undefined);

    const listed = (await m.sfnCall(E, 'arn:aws:states:::aws-sdk:ecs:listTasks', {
      Cluster: cluster,
      Family: 'edr-dump-restore-test',
      DesiredStatus: 'RUNNING',
    })) as { TaskArns: string[] };
    const described = (await m.sfnCall(E, 'arn:aws:states:::aws-sdk:ecs:describeTasks', {
      Cluster: cluster,
      Tasks: listed.TaskArns,
    })) as { Tasks: { Group: string; TaskArn: string }[] };
    await m.sfnCall(E, 'arn:aws:states:::aws-sdk:ecs:stopTask', {
      Cluster: cluster,
      Task: described.Tasks[0]!.TaskArn,
      Reason: 'run ended',
    });
    m.advance(m.ecs.durations.stopping);

    expect(described.Tasks.map((t) => t.Group)).toEqual(['edr:run-1']);
    expect(m.ecs.tasksOf(cluster)[0]).toMatchObject({
      lastStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'run ended',
      exitCode: 3,
    });
    await expect(
      m.sfnCall(E, 'arn:aws:states:::aws-sdk:ecs:listTasks', { Cluster: cluster, StartedBy: 'x', Family: 'y' }),
    ).rejects.toMatchObject({ name: 'Ecs.InvalidParameterException' });
  });

  it('stops a task that never starts from PENDING with TaskFailedToStart and no exit code', async () => {
    const { m, cluster } = ecsModel();
    m.ecs.container = () => ({ failToStart: 'ResourceInitializationError: unable to pull secrets or registry auth' });

    const error = await m.sfnCall(E, SYNC, runTask(cluster)).then(
      () => undefined,
      (e: Error) => e,
    );

    expect(error?.name).toBe('States.TaskFailed');
    const stopped = JSON.parse(error!.message);
    expect(stopped).toMatchObject({
      StopCode: 'TaskFailedToStart',
      StoppedReason: expect.stringMatching(/^ResourceInitializationError/),
    });
    expect(stopped.Containers[0].ExitCode).toBeUndefined();
  });
});
