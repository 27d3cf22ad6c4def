using System.Text.Json;
using Inference.Storage.Data;
using Inference.Lifecycle.Experiments;
using Inference.Serving.Remote;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Inference.Lifecycle;

/// <summary>
/// Deployments. <c>immediate</c> and <c>blue-green</c> switch all traffic at once (every version stays
/// loaded, so a rollback is instant; blue-green also requires the new version to be served on this replica before it
/// switches); <c>canary</c> sends a share of the traffic (sticky per caller) to the new version, steps it up by API
/// call or on a schedule, completes at 100% and rolls itself back when the canary's error rate or p95 latency is worse
/// than the stable version's beyond the thresholds; <c>rolling</c> loads a Worker-loaded version on the model's Worker
/// replicas one at a time (<see cref="RollingDeployments"/>), each shifting its share of the traffic once it is ready and
/// answers, and rolls back (unloading it everywhere) when one does not. State lives in the database; every change is a conditional update,
/// so replicas evaluating the same canary act once.
/// </summary>
internal sealed partial class DeploymentManager(
    IDbContextFactory<MetadataDbContext> contexts,
    ModelLifecycle lifecycle,
    WorkerReplicaSets replicaSets,
    WorkerReplicaClient replicaClient,
    RollingQueue rollingQueue,
    Inference.Serving.Events.OperationalEvents events,
    TimeProvider time,
    ILogger<DeploymentManager> logger)
{
    private static readonly TimeSpan UnloadTimeout = TimeSpan.FromSeconds(10);

    public async Task<Deployment> DeployAsync(string name, DeployRequest request, string? caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var strategy = (request.Strategy ?? DeploymentStrategies.Immediate).Trim().ToLowerInvariant();
        if (!DeploymentStrategies.All.Contains(strategy))
        {
            throw ControlPlaneException.BadRequest($"strategy must be one of {string.Join(", ", DeploymentStrategies.All)}, not '{request.Strategy}'.");
        }

        var version = request.Version ?? throw ControlPlaneException.BadRequest("version is required (in the body, or the route as name:version).");
        var percent = request.CanaryPercent ?? 10;
        var step = request.StepPercent ?? percent;
        if (percent is <= 0 or >= 100 || step is <= 0 or > 100)
        {
            throw ControlPlaneException.BadRequest("canary_percent must be above 0 and below 100, step_percent above 0 and at most 100.");
        }

        if (request.StepIntervalSeconds is <= 0 || request.MaxErrorRateIncrease is < 0 or > 1 || request.MaxLatencyRatio is < 1 || request.MinRequests is < 1)
        {
            throw ControlPlaneException.BadRequest("step_interval_seconds must be positive, max_error_rate_increase within 0 to 1, max_latency_ratio at least 1, min_requests at least 1.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var model = await db.Models.AsNoTracking().Include(m => m.Versions).SingleOrDefaultAsync(m => m.Id == name, cancellationToken)
            ?? throw ControlPlaneException.NotFound($"No model '{name}' is registered.");
        var target = model.Versions.SingleOrDefault(v => v.Version == version)
            ?? throw ControlPlaneException.NotFound($"Model '{name}' has no version '{version}'.");
        var active = model.Versions.FirstOrDefault(v => v.IsDefault);
        if (active == target)
        {
            throw ControlPlaneException.Conflict($"Version '{version}' of '{name}' is already active.");
        }

        if (target.Deprecated)
        {
            throw ControlPlaneException.Conflict($"Version '{version}' of '{name}' is deprecated.");
        }

        var rolling = strategy == DeploymentStrategies.Rolling;
        if (rolling && replicaSets.Find(name) is null)
        {
            throw ControlPlaneException.BadRequest($"A rolling deployment goes across the Worker replicas of a model, and '{name}' has none here (Inference:Remote:{name}:Replicas).");
        }

        if (rolling && !ReplicaMembership.IsOnWorkers(target))
        {
            throw ControlPlaneException.BadRequest($"Version '{version}' of '{name}' is not loaded by Workers; register it with model_path and provider worker to roll it out, or deploy it blue-green or canary.");
        }

        if (!rolling && ReplicaMembership.IsOnWorkers(target) && !lifecycle.IsServable(name, target))
        {
            throw ControlPlaneException.Conflict($"Version '{version}' of '{name}' is loaded by the Workers as a deployment reaches them; deploy it with strategy rolling.");
        }

        if (!rolling && !lifecycle.IsServable(name, target))
        {
            throw ControlPlaneException.Conflict($"Version '{version}' of '{name}' is not served here: {lifecycle.LoadError(RoutingTableBuilder.TargetId(name, target)) ?? "it has not been loaded"}.");
        }

        if (await db.Deployments.AnyAsync(d => d.ModelId == name && d.Status == DeploymentStatus.InProgress, cancellationToken))
        {
            throw ControlPlaneException.Conflict($"A deployment of '{name}' is in progress; complete or roll it back first.");
        }

        if (await db.AbTests.AnyAsync(t => t.Route == name && t.Status == AbTestStatus.Running, cancellationToken))
        {
            throw ControlPlaneException.Conflict($"An A/B test splits the traffic of '{name}'; stop it first.");
        }

        var now = time.GetUtcNow();
        var deployment = new Deployment
        {
            Id = "dep-" + Guid.CreateVersion7(now).ToString("N"),
            ModelId = name,
            Version = version,
            PreviousVersion = active?.Version,
            Strategy = strategy,
            Status = strategy is DeploymentStrategies.Canary or DeploymentStrategies.Rolling ? DeploymentStatus.InProgress : DeploymentStatus.Completed,
            Percent = strategy == DeploymentStrategies.Canary ? percent : rolling ? 0 : 100,
            StepPercent = step,
            StepIntervalSeconds = request.StepIntervalSeconds,
            MaxErrorRateIncrease = request.MaxErrorRateIncrease ?? 0.05,
            MaxLatencyRatio = request.MaxLatencyRatio ?? 1.5,
            MinimumRequests = request.MinRequests ?? 20,
            Created = now,
            Updated = now,
            LastStep = now,
            CreatedBy = caller,
        };
        deployment.History = History(deployment, "started", $"{strategy} from {active?.Version ?? "none"} to {version}");
        db.Deployments.Add(deployment);
        await db.SaveChangesAsync(cancellationToken);
        if (rolling)
        {
            rollingQueue.Start(deployment.Id);
        }
        else if (strategy != DeploymentStrategies.Canary)
        {
            await lifecycle.ActivateAsync(name, version, caller, cancellationToken, "deploy");
        }
        else
        {
            await lifecycle.RefreshAsync(cancellationToken);
        }

        Log.Started(logger, deployment.Id, name, version, strategy);
        events.Info(DeploymentEventCodes.Started, $"Deployment {deployment.Id}: {strategy} of '{name}' version {version} started.", name);
        return deployment;
    }

    /// <summary>Steps a canary up (to <paramref name="percent"/>, or by its step); at 100% the new version becomes the active one.</summary>
    public async Task<Deployment> PromoteAsync(string id, double? percent, string? caller, CancellationToken cancellationToken)
    {
        if (percent is <= 0 or > 100)
        {
            throw ControlPlaneException.BadRequest("percent must be above 0 and at most 100.");
        }

        var deployment = await FindAsync(id, cancellationToken);
        if (deployment.Strategy == DeploymentStrategies.Rolling && deployment.Status == DeploymentStatus.InProgress)
        {
            // A rolling deployment moves on to its next replica now instead of after its pause.
            return await UpdateAsync(deployment, d => d.LastStep = null, "promoted", $"next replica now, by {caller ?? "api"}", cancellationToken)
                ?? throw ControlPlaneException.Conflict($"Deployment '{id}' changed meanwhile; read it again.");
        }

        if (deployment.Strategy != DeploymentStrategies.Canary || deployment.Status != DeploymentStatus.InProgress)
        {
            throw ControlPlaneException.Conflict($"Deployment '{id}' is not a canary or rolling deployment in progress (it is a {deployment.Strategy} deployment, {deployment.Status}).");
        }

        return await StepAsync(deployment, percent ?? Math.Min(100, deployment.Percent + deployment.StepPercent), caller ?? "api", cancellationToken)
            ?? throw ControlPlaneException.Conflict($"Deployment '{id}' changed meanwhile; read it again.");
    }

    /// <summary>Returns the traffic to the previous version: a canary stops; a finished deployment re-activates what it replaced.</summary>
    public async Task<Deployment> RollbackAsync(string id, string reason, string? caller, CancellationToken cancellationToken)
    {
        var deployment = await FindAsync(id, cancellationToken);
        if (deployment.Status == DeploymentStatus.RolledBack)
        {
            throw ControlPlaneException.Conflict($"Deployment '{id}' is already rolled back.");
        }

        if (deployment.Status == DeploymentStatus.Completed)
        {
            if (deployment.PreviousVersion is null)
            {
                throw ControlPlaneException.Conflict($"Deployment '{id}' replaced no version; there is nothing to return to.");
            }

            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var active = await db.ModelVersions.AsNoTracking().Where(v => v.ModelId == deployment.ModelId && v.IsDefault).Select(v => v.Version).FirstOrDefaultAsync(cancellationToken);
            if (active != deployment.Version)
            {
                throw ControlPlaneException.Conflict($"Version '{deployment.Version}' of '{deployment.ModelId}' is no longer active (now '{active}'); a later change replaced it.");
            }

            await lifecycle.ActivateAsync(deployment.ModelId, deployment.PreviousVersion, caller, cancellationToken, "rollback");
        }

        var changed = await UpdateAsync(deployment, d =>
        {
            d.Status = DeploymentStatus.RolledBack;
            d.Reason = reason;
            d.Percent = 0;
        }, "rolled_back", reason, cancellationToken);
        if (changed is null)
        {
            throw ControlPlaneException.Conflict($"Deployment '{id}' changed meanwhile; read it again.");
        }

        Log.RolledBack(logger, id, deployment.ModelId, reason);
        events.Warning(DeploymentEventCodes.RolledBack, $"Deployment {id} of '{deployment.ModelId}' was rolled back: {reason}.", deployment.ModelId);
        await lifecycle.RefreshAsync(cancellationToken);
        if (deployment.Strategy == DeploymentStrategies.Rolling)
        {
            await UnloadEverywhereAsync(deployment, cancellationToken);
        }

        return changed;
    }

    /// <summary>Unloads a rolled-back version from every replica (best effort: a replica that is down has lost it anyway).</summary>
    public async Task UnloadEverywhereAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        if (replicaSets.Find(deployment.ModelId) is not { } set)
        {
            return;
        }

        var target = $"{deployment.ModelId}:{deployment.Version}";
        await Task.WhenAll(set.Replicas.Select(async replica =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(UnloadTimeout);
            try
            {
                await replicaClient.UnloadAsync(replica, target, timeout.Token);
            }
            catch (Exception ex) when (ex is WorkerReplicaException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                Log.UnloadFailed(logger, target, WorkerReplicaSet.NameOf(replica), ex.Message);
            }
        }));
    }

    /// <summary>Records that a rolling deployment's next replica serves the new version: its share of the traffic moves.</summary>
    public async Task<Deployment?> ReplicaReadyAsync(Deployment deployment, Uri replica, int replicas, CancellationToken cancellationToken)
    {
        var ready = ReplicaMembership.ReadyAddresses(deployment);
        ready.Add(replica.AbsoluteUri);
        var changed = await UpdateAsync(deployment, d =>
        {
            d.ReadyReplicas = JsonSerializer.Serialize(ready, LifecycleJsonContext.Default.ListString);
            d.Percent = Math.Round(100.0 * ready.Count / replicas, 2);
            d.LastStep = time.GetUtcNow();
        }, "replica_ready", replica.AbsoluteUri, cancellationToken);
        if (changed is not null)
        {
            Log.ReplicaReady(logger, deployment.Id, deployment.ModelId, WorkerReplicaSet.NameOf(replica), ready.Count, replicas);
            await lifecycle.RefreshAsync(cancellationToken);
        }

        return changed;
    }

    /// <summary>Completes a rolling deployment that reached every replica: the new version becomes the active one.</summary>
    public async Task<Deployment?> CompleteRollingAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        await lifecycle.ActivateAsync(deployment.ModelId, deployment.Version, "rolling", cancellationToken, "deploy");
        var changed = await UpdateAsync(deployment, d =>
        {
            d.Percent = 100;
            d.Status = DeploymentStatus.Completed;
        }, "completed", "every replica serves it", cancellationToken);
        await lifecycle.RefreshAsync(cancellationToken);
        return changed;
    }

    /// <summary>
    /// Judges every canary in progress: rolled back when it does worse than the stable version beyond its thresholds
    /// (once both sides have their minimum of calls), stepped up when its schedule says so.
    /// </summary>
    public async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var canaries = await db.Deployments.AsNoTracking()
            .Where(d => d.Status == DeploymentStatus.InProgress && d.Strategy == DeploymentStrategies.Canary)
            .ToListAsync(cancellationToken);
        foreach (var deployment in canaries)
        {
            var arms = await HealthAsync(deployment, cancellationToken);
            var stable = arms.FirstOrDefault(a => a.Arm == RoutingTableBuilder.Stable);
            var canary = arms.FirstOrDefault(a => a.Arm == RoutingTableBuilder.Canary);
            if (Breach(deployment, stable, canary) is { } reason)
            {
                try
                {
                    await RollbackAsync(deployment.Id, reason, "canary-monitor", cancellationToken);
                }
                catch (ControlPlaneException)
                {
                    // Another replica acted first.
                }

                continue;
            }

            if (deployment.StepIntervalSeconds is { } interval && time.GetUtcNow() - (deployment.LastStep ?? deployment.Created) >= TimeSpan.FromSeconds(interval))
            {
                await StepAsync(deployment, Math.Min(100, deployment.Percent + deployment.StepPercent), "schedule", cancellationToken);
            }
        }
    }

    /// <summary>Why the canary must roll back, or null while it is as healthy as the stable version (or has too few calls to tell).</summary>
    internal static string? Breach(Deployment deployment, ArmHealth? stable, ArmHealth? canary)
    {
        if (stable is null || canary is null || canary.Requests < deployment.MinimumRequests || stable.Requests < deployment.MinimumRequests)
        {
            return null;
        }

        if (canary.ErrorRate - stable.ErrorRate > deployment.MaxErrorRateIncrease)
        {
            return System.FormattableString.Invariant(
                $"The canary's error rate {canary.ErrorRate:P1} exceeds the stable version's {stable.ErrorRate:P1} by more than {deployment.MaxErrorRateIncrease:P1}.");
        }

        if (canary.LatencyP95Ms is { } canaryP95 && stable.LatencyP95Ms is { } stableP95 && canaryP95 > stableP95 * deployment.MaxLatencyRatio)
        {
            return System.FormattableString.Invariant(
                $"The canary's p95 latency {canaryP95:0} ms exceeds the stable version's {stableP95:0} ms times {deployment.MaxLatencyRatio:0.##}.");
        }

        return null;
    }

    /// <summary>Each side's calls since the deployment began, from the audit log (so every replica's calls count).</summary>
    public async Task<IReadOnlyList<ArmHealth>> HealthAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.AuditRecords.AsNoTracking()
            .Where(a => a.Experiment == deployment.Id && a.Status != "cancelled")
            .Select(a => new { a.Arm, a.Status, a.LatencyMs })
            .ToListAsync(cancellationToken);
        return [.. rows.GroupBy(r => r.Arm ?? "")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var latencies = g.Where(r => r.Status == "ok").Select(r => r.LatencyMs).ToList();
                return new ArmHealth(g.Key, g.Count(), (double)g.Count(r => r.Status != "ok") / g.Count(), latencies.Count == 0 ? null : Statistics.Percentile(latencies, 0.95));
            })];
    }

    public async Task<Deployment> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Deployments.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken)
            ?? throw ControlPlaneException.NotFound($"No deployment '{id}'.");
    }

    private async Task<Deployment?> StepAsync(Deployment deployment, double percent, string by, CancellationToken cancellationToken)
    {
        var complete = percent >= 100;
        var changed = await UpdateAsync(deployment, d =>
        {
            d.Percent = complete ? 100 : percent;
            d.LastStep = time.GetUtcNow();
            d.Status = complete ? DeploymentStatus.Completed : DeploymentStatus.InProgress;
        }, complete ? "completed" : "stepped", $"by {by}", cancellationToken);
        if (changed is null)
        {
            return null;
        }

        if (complete)
        {
            await lifecycle.ActivateAsync(deployment.ModelId, deployment.Version, by, cancellationToken, "deploy");
        }
        else
        {
            await lifecycle.RefreshAsync(cancellationToken);
        }

        Log.Stepped(logger, deployment.Id, deployment.ModelId, changed.Percent);
        events.Info(
            complete ? DeploymentEventCodes.Completed : DeploymentEventCodes.Stepped,
            $"Deployment {deployment.Id} of '{deployment.ModelId}' now sends {changed.Percent:0.#}% of the traffic to version {deployment.Version}.",
            deployment.ModelId);
        return changed;
    }

    /// <summary>Applies a change only if nobody changed the deployment since it was read (its Updated time is the token).</summary>
    private async Task<Deployment?> UpdateAsync(Deployment read, Action<Deployment> change, string @event, string? detail, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var current = await db.Deployments.SingleOrDefaultAsync(d => d.Id == read.Id, cancellationToken);
        if (current is null || current.Updated != read.Updated)
        {
            return null;
        }

        var seen = current.Updated;
        change(current);
        current.Updated = time.GetUtcNow() is var now && now > seen ? now : seen.AddTicks(1);
        current.History = History(current, @event, detail);
        var written = await db.Deployments
            .Where(d => d.Id == read.Id && d.Updated == seen)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, current.Status)
                .SetProperty(d => d.Percent, current.Percent)
                .SetProperty(d => d.LastStep, current.LastStep)
                .SetProperty(d => d.Reason, current.Reason)
                .SetProperty(d => d.History, current.History)
                .SetProperty(d => d.ReadyReplicas, current.ReadyReplicas)
                .SetProperty(d => d.Updated, current.Updated), cancellationToken);
        return written == 1 ? current : null;
    }

    private string History(Deployment deployment, string @event, string? detail)
    {
        var events = JsonSerializer.Deserialize(deployment.History, LifecycleJsonContext.Default.ListDeploymentEvent) ?? [];
        events.Add(new DeploymentEvent(time.GetUtcNow(), @event, deployment.Percent, detail));
        return JsonSerializer.Serialize(events, LifecycleJsonContext.Default.ListDeploymentEvent);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Id} of {Model}: replica {Replica} serves the new version ({Ready} of {Replicas}).")]
        public static partial void ReplicaReady(ILogger logger, string id, string model, string replica, int ready, int replicas);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not unload {Model} from replica {Replica}: {Reason}")]
        public static partial void UnloadFailed(ILogger logger, string model, string replica, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Id}: {Strategy} of {Model} version {Version} started.")]
        public static partial void Started(ILogger logger, string id, string model, string version, string strategy);

        [LoggerMessage(Level = LogLevel.Information, Message = "Deployment {Id} of {Model}: the canary has {Percent}% of the traffic.")]
        public static partial void Stepped(ILogger logger, string id, string model, double percent);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Id} of {Model} rolled back: {Reason}")]
        public static partial void RolledBack(ILogger logger, string id, string model, string reason);
    }
}
