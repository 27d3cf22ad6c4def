using System.Collections.Concurrent;

namespace Inference.Serving.Remote;

/// <summary>Every model name served by addressed Worker replicas, by name.</summary>
public sealed class WorkerReplicaSets
{
    private readonly ConcurrentDictionary<string, WorkerReplicaSet> _sets = new(StringComparer.Ordinal);

    public IReadOnlyCollection<WorkerReplicaSet> All => [.. _sets.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];

    public WorkerReplicaSet? Find(string name) => _sets.GetValueOrDefault(name);

    internal void Add(WorkerReplicaSet set)
    {
        if (!_sets.TryAdd(set.Name, set))
        {
            throw new InferenceConfigurationException($"Inference:Remote:{set.Name}: its replicas are configured twice.");
        }
    }
}
