using System.Collections.Concurrent;
using Inference.Storage.Data;
using Inference.Serving.Remote;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Lifecycle;

/// <summary>
/// Drives rolling deployments, one Worker replica at a time, in the order the replicas are configured: the replica
/// loads the new version (<c>PUT /admin/models/{name:version}</c>), must pass its readiness check and answer a probe
/// on it within <see cref="DeploymentOptions.ReplicaTimeout"/>, and only then takes its share of the traffic (the
/// deployment's percent is the share of replicas reached) and the next replica begins, after the deployment's pause
/// (<c>step_interval_seconds</c>, cut short by promote). The last replica completes it and activates the version. A
/// replica that fails rolls the deployment back: traffic returns to the previous version and the new one is unloaded
/// everywhere. Progress is in the database, so a deployment a stopped gateway replica left is resumed by another; and
/// every <see cref="DeploymentOptions.ResumeInterval"/> each replica is given back the versions it should serve and
/// lost in a restart.
/// </summary>
internal sealed partial class RollingDeployments(
    MetadataState state,
    IDbContextFactory<MetadataDbContext> contexts,
    DeploymentManager deployments,
    WorkerReplicaSets replicaSets,
    WorkerReplicaClient replicas,
    RollingQueue queue,
    IOptions<DeploymentOptions> options,
    TimeProvider time,
    ILogger<RollingDeployments> logger) : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await state.WhenRegistered(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            await ResumeAsync(stoppingToken);
            await ReconcileAsync(stoppingToken);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(options.Value.ResumeInterval);
            try
            {
                while (await queue.Started.WaitToReadAsync(wait.Token))
                {
                    while (queue.Started.TryRead(out var id))
                    {
                        Drive(id, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Time to look for deployments left behind.
            }
        }

        await Task.WhenAll(_running.Values);
    }

    /// <summary>Takes over in-progress rolling deployments nobody has moved for longer than a replica may take.</summary>
    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var inProgress = await db.Deployments.AsNoTracking()
                .Where(d => d.Strategy == DeploymentStrategies.Rolling && d.Status == DeploymentStatus.InProgress)
                .ToListAsync(cancellationToken);
            var now = time.GetUtcNow();
            foreach (var deployment in inProgress)
            {
                if (now - deployment.Updated > options.Value.ReplicaTimeout + TimeSpan.FromSeconds(deployment.StepIntervalSeconds ?? 0))
                {
                    Log.Resuming(logger, deployment.Id, deployment.ModelId);
                    Drive(deployment.Id, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.Failed(logger, "(resume)", ex.Message);
        }
    }

    /// <summary>
    /// Loads the versions the registry says a replica serves on the replicas that do not have them (a Worker that
    /// restarted has only its configured models), so a restart loses no rolled-out version.
    /// </summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        if (replicaSets.All.Count == 0)
        {
            return;
        }

        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var names = replicaSets.All.Select(s => s.Name).ToList();
            var versions = await db.ModelVersions.AsNoTracking()
                .Where(v => names.Contains(v.ModelId) && v.Provider == "worker" && v.Path != null)
                .ToListAsync(cancellationToken);
            foreach (var set in replicaSets.All)
            {
                var wanted = versions.Where(v => v.ModelId == set.Name && ReplicaMembership.IsOnWorkers(v))
                    .Select(v => (Version: v, Target: RoutingTableBuilder.TargetId(v.ModelId, v)))
                    .Where(v => set.MembersOf(v.Target).Count > 0)
                    .ToList();
                if (wanted.Count == 0)
                {
                    continue;
                }

                foreach (var replica in set.Replicas)
                {
                    await ReconcileAsync(replica, set, wanted, cancellationToken);
                }
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.Failed(logger, "(reconcile)", ex.Message);
        }
    }

    private async Task ReconcileAsync(Uri replica, WorkerReplicaSet set, IReadOnlyList<(ModelVersion Version, string Target)> wanted, CancellationToken cancellationToken)
    {
        using var step = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        step.CancelAfter(options.Value.ReplicaTimeout);
        try
        {
            var serving = await replicas.ModelsAsync(replica, step.Token);
            foreach (var (version, target) in wanted)
            {
                if (set.MembersOf(target).Contains(replica) && !serving.Contains(target))
                {
                    await replicas.LoadAsync(replica, target, version.Path!, ReplicaMembership.ChatTemplateOf(version), step.Token);
                    Log.Reloaded(logger, target, WorkerReplicaSet.NameOf(replica));
                }
            }
        }
        catch (Exception ex) when (ex is WorkerReplicaException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Down (its breaker keeps traffic away) or refusing: tried again next time.
            Log.ReloadFailed(logger, WorkerReplicaSet.NameOf(replica), ex.Message);
        }
    }

    private void Drive(string id, CancellationToken cancellationToken)
    {
        if (_running.ContainsKey(id))
        {
            return;
        }

        _running[id] = Task.Run(async () =>
        {
            try
            {
                await RollAsync(id, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // The database or this service failed mid-way: the progress so far is recorded, and the deployment is resumed later.
                Log.Failed(logger, id, ex.Message);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                _running.TryRemove(id, out _);
            }
        }, CancellationToken.None);
    }

    private async Task RollAsync(string id, CancellationToken cancellationToken)
    {
        var loadedAny = false;
        while (true)
        {
            var deployment = await deployments.FindAsync(id, cancellationToken);
            if (deployment.Status != DeploymentStatus.InProgress)
            {
                if (deployment.Status == DeploymentStatus.RolledBack && loadedAny)
                {
                    // Rolled back while a replica was loading: it may have loaded after the rollback unloaded.
                    await deployments.UnloadEverywhereAsync(deployment, cancellationToken);
                }

                return;
            }

            if (replicaSets.Find(deployment.ModelId) is not { } set)
            {
                await RollBackAsync(id, $"'{deployment.ModelId}' has no Worker replicas configured here any more.", cancellationToken);
                return;
            }

            var ready = ReplicaMembership.Ready(deployment, set);
            var next = set.Replicas.FirstOrDefault(r => !ready.Contains(r));
            if (next is null)
            {
                if (await deployments.CompleteRollingAsync(deployment, cancellationToken) is not null)
                {
                    Log.Completed(logger, id, deployment.ModelId, deployment.Version, set.Replicas.Count);
                    return;
                }

                continue;
            }

            if (ready.Count > 0 && deployment.StepIntervalSeconds is { } pause && deployment.LastStep is { } last
                && time.GetUtcNow() - last < TimeSpan.FromSeconds(pause))
            {
                await Task.Delay(Poll, time, cancellationToken);
                continue;
            }

            var target = $"{deployment.ModelId}:{deployment.Version}";
            var (path, chatTemplate) = await SourceAsync(deployment, cancellationToken);
            var timeout = options.Value.ReplicaTimeout;
            using (var step = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                step.CancelAfter(timeout);
                try
                {
                    loadedAny = true;
                    Log.Loading(logger, id, target, WorkerReplicaSet.NameOf(next));
                    await replicas.LoadAsync(next, target, path, chatTemplate, step.Token);
                    await replicas.WaitReadyAsync(next, step.Token);
                    await replicas.ProbeAsync(next, target, step.Token);
                }
                catch (Exception ex) when (ex is WorkerReplicaException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    var reason = ex is WorkerReplicaException
                        ? $"Replica {WorkerReplicaSet.NameOf(next)}: {ex.Message}"
                        : $"Replica {WorkerReplicaSet.NameOf(next)} did not load {target}, pass its readiness check and answer within {timeout.TotalSeconds:0} s.";
                    if (!await RollBackAsync(id, reason, cancellationToken))
                    {
                        continue; // changed meanwhile: read it again
                    }

                    return;
                }
            }

            // Null when it changed meanwhile (promoted, rolled back): read it again.
            await deployments.ReplicaReadyAsync(deployment, next, set.Replicas.Count, cancellationToken);
        }
    }

    private async Task<bool> RollBackAsync(string id, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await deployments.RollbackAsync(id, reason, "rolling", cancellationToken);
            return true;
        }
        catch (ControlPlaneException)
        {
            return false;
        }
    }

    /// <summary>What the Workers load: the version's path and the chat template it was registered with.</summary>
    private async Task<(string Path, string? ChatTemplate)> SourceAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var version = await db.ModelVersions.AsNoTracking()
            .SingleAsync(v => v.ModelId == deployment.ModelId && v.Version == deployment.Version, cancellationToken);
        return (version.Path!, ReplicaMembership.ChatTemplateOf(version));
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Id}: loading {Model} on replica {Replica}.")]
        public static partial void Loading(ILogger logger, string id, string model, string replica);

        [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Id} of {Model}: version {Version} serves on all {Replicas} replicas.")]
        public static partial void Completed(ILogger logger, string id, string model, string version, int replicas);

        [LoggerMessage(Level = LogLevel.Information, Message = "Resuming rolling deployment {Id} of {Model}, which no replica has moved lately.")]
        public static partial void Resuming(ILogger logger, string id, string model);

        [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Model} again on replica {Replica}, which had lost it (restarted).")]
        public static partial void Reloaded(ILogger logger, string model, string replica);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Could not check replica {Replica}'s models: {Reason}")]
        public static partial void ReloadFailed(ILogger logger, string replica, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Rolling deployment {Id} stopped, to be resumed: {Reason}")]
        public static partial void Failed(ILogger logger, string id, string reason);
    }
}
