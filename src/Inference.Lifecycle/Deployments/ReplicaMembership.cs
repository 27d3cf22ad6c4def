using System.Text.Json;
using Inference.Storage.Data;
using Inference.Serving.Remote;

namespace Inference.Lifecycle;

/// <summary>
/// Which Worker replicas serve each version of a replicated model, from the registry: a version loaded by Workers
/// runs on every replica once its last rolling deployment completed, on the replicas it has reached while one is in
/// progress, and nowhere otherwise (never rolled out, or rolled back); while a roll is in progress the version it
/// replaces keeps the replicas not reached yet. Every gateway replica computes the same from the same rows.
/// </summary>
internal static class ReplicaMembership
{
    public static IReadOnlyDictionary<string, IReadOnlyList<Uri>> Of(WorkerReplicaSet set, RegisteredModel? model, IReadOnlyList<Deployment> rolling)
    {
        var members = new Dictionary<string, IReadOnlyList<Uri>>(StringComparer.Ordinal);
        if (model is null)
        {
            return members;
        }

        var mine = rolling.Where(d => d.ModelId == set.Name).OrderBy(d => d.Created).ToList();
        foreach (var version in model.Versions.Where(IsOnWorkers))
        {
            var last = mine.LastOrDefault(d => d.Version == version.Version);
            members[RoutingTableBuilder.TargetId(model.Id, version)] = last?.Status switch
            {
                DeploymentStatus.Completed => set.Replicas,
                DeploymentStatus.InProgress => Ready(last, set),
                _ => [],
            };
        }

        if (mine.LastOrDefault(d => d.Status == DeploymentStatus.InProgress) is { } inProgress
            && model.Versions.FirstOrDefault(v => v.Version == inProgress.PreviousVersion) is { } previous)
        {
            var target = RoutingTableBuilder.TargetId(model.Id, previous);
            var ready = Ready(inProgress, set);
            // The configured version runs on every replica; a Worker-loaded one where it was rolled out.
            var serving = members.TryGetValue(target, out var current) ? current : target == set.Name ? set.Replicas : [];
            members[target] = [.. serving.Except(ready)];
        }

        return members;
    }

    /// <summary>True for a version the Workers load (registered with model_path and provider worker).</summary>
    public static bool IsOnWorkers(ModelVersion version) =>
        version.Origin == VersionOrigins.Registered && version.Provider == "worker" && version.Path is not null;

    /// <summary>The replicas a rolling deployment has reached, in order (addresses no longer configured are left out).</summary>
    public static IReadOnlyList<Uri> Ready(Deployment deployment, WorkerReplicaSet set) =>
        [.. ReadyAddresses(deployment).Select(r => new Uri(r)).Where(set.Replicas.Contains)];

    /// <summary>The addresses of the replicas a rolling deployment has reached, as recorded.</summary>
    public static List<string> ReadyAddresses(Deployment deployment) =>
        JsonSerializer.Deserialize(deployment.ReadyReplicas is { Length: > 0 } json ? json : "[]", LifecycleJsonContext.Default.ListString) ?? [];

    /// <summary>The chat template a Worker-loaded version was registered with, which the Workers load it with.</summary>
    public static string? ChatTemplateOf(ModelVersion version) =>
        JsonSerializer.Deserialize(version.Configuration, LifecycleJsonContext.Default.VersionConfiguration)?.ChatTemplate;
}
