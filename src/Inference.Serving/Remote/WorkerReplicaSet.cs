namespace Inference.Serving.Remote;

/// <summary>
/// The Worker replicas that serve one model name (<c>Inference:Remote:&lt;name&gt;:Replicas</c>), addressed one by one
/// (a load balancer in front of them would hide which replica runs which version), and which of them serves each of
/// the name's versions now. The configured version runs on every replica until the registry says otherwise; a version
/// loaded by a rolling deployment runs on the replicas it has reached. The registry publishes the membership.
/// </summary>
public sealed class WorkerReplicaSet
{
    private volatile IReadOnlyDictionary<string, IReadOnlyList<Uri>> _members = new Dictionary<string, IReadOnlyList<Uri>>(StringComparer.Ordinal);

    private readonly Dictionary<Uri, int> _indexes;
    private readonly int[] _inFlight;

    public WorkerReplicaSet(string name, IReadOnlyList<Uri> replicas)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(replicas);
        Name = name;
        Replicas = replicas;
        _indexes = replicas.Select((r, i) => (r, i)).ToDictionary(x => x.r, x => x.i);
        _inFlight = new int[replicas.Count];
    }

    /// <summary>The model name (the configured version's catalog id).</summary>
    public string Name { get; }

    /// <summary>Each Worker's root address, in the order a rolling deployment goes through them.</summary>
    public IReadOnlyList<Uri> Replicas { get; }

    /// <summary>The replicas serving catalog entry <paramref name="target"/> (the bare name, or <c>name:version</c>).</summary>
    public IReadOnlyList<Uri> MembersOf(string target) =>
        _members.TryGetValue(target, out var members) ? members : target == Name ? Replicas : [];

    /// <summary>Replaces the membership: each target's replicas; a target left out gets the default (all for the configured version, none for others).</summary>
    public void Publish(IReadOnlyDictionary<string, IReadOnlyList<Uri>> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        _members = members;
    }

    /// <summary>Calls this gateway has under way on <paramref name="replica"/>, for every version it serves.</summary>
    public int InFlight(Uri replica) => _indexes.TryGetValue(replica, out var i) ? Volatile.Read(ref _inFlight[i]) : 0;

    /// <summary>Counts a call on <paramref name="replica"/> until the scope is disposed.</summary>
    public CallScope Call(Uri replica)
    {
        var index = _indexes.GetValueOrDefault(replica, -1);
        if (index >= 0)
        {
            Interlocked.Increment(ref _inFlight[index]);
        }

        return new CallScope(this, index);
    }

    /// <summary>
    /// How a replica is named in messages and logs: its host and port; a replica reached by name over another transport
    /// (<c>nats://server/replicas/NAME/</c>, all on one server) by its whole address.
    /// </summary>
    public static string NameOf(Uri replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        return replica.Scheme is "http" or "https" ? replica.Authority : replica.AbsoluteUri.TrimEnd('/');
    }

    /// <summary>The address of a replica's OpenAI-compatible API, which is also the key of its circuit breaker.</summary>
    public static Uri ApiOf(Uri replica) => new(replica, "v1");

    public readonly struct CallScope(WorkerReplicaSet set, int index) : IDisposable
    {
        public void Dispose()
        {
            if (index >= 0)
            {
                Interlocked.Decrement(ref set._inFlight[index]);
            }
        }
    }
}
