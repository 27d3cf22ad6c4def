using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Inference.Serving.Catalog;

namespace Inference.Serving.Routing;

/// <summary>
/// Turns a request's <c>model</c> into the catalog entry that answers it: <c>name:version</c> names one version; a
/// bare name gets its active version, or, while a canary deployment or an A/B test splits its traffic, one side of it
/// chosen by a hash of the caller (so a caller stays on one side). A name the registry does not route is looked up
/// in the catalog as it is. The table is the registry's, republished on every change (<see cref="Publish"/>).
/// </summary>
public sealed class ModelRouter
{
    private readonly ModelCatalog _catalog;
    private volatile RoutingTable _table = RoutingTable.Empty;

    public ModelRouter(ModelCatalog catalog)
    {
        _catalog = catalog;
        RoutingTelemetry.Observe(this);
    }

    public RoutingTable Table => _table;

    public ModelCatalog Catalog => _catalog;

    public void Publish(RoutingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
    }

    /// <summary>The entry for <paramref name="requested"/>, or null when nothing serves it.</summary>
    public RouteDecision? Resolve(string requested, string? caller)
    {
        ArgumentException.ThrowIfNullOrEmpty(requested);
        var table = _table;
        if (table.Find(requested) is { } route)
        {
            return Choose(table, route, requested, caller);
        }

        var reference = ModelReference.Parse(requested);
        if (reference.Version == ModelReference.Latest && (table.Find(reference.Name) is not null || _catalog.Find(reference.Name) is not null))
        {
            // Ollama's default tag: the name's active version.
            return Resolve(reference.Name, caller) is { } latest ? latest with { Requested = requested } : null;
        }

        if (reference.Version is { } version && table.Find(reference.Name) is { } named
            && named.Versions.TryGetValue(version, out var target) && _catalog.Find(target) is { } pinned)
        {
            return new(requested, pinned, named.Name, version, null, null, Fallbacks(table, named, pinned));
        }

        // Not routed (or a remote id with a colon of its own, such as Ollama's llama3.2:latest): the catalog's entry.
        if (_catalog.Find(requested) is not { } model)
        {
            return null;
        }

        var known = table.VersionOf(model.Id);
        return new(requested, model, known?.Name ?? model.Id, known?.Version, null, null, Fallbacks(table, null, model));
    }

    private RouteDecision? Choose(RoutingTable table, ModelRoute route, string requested, string? caller)
    {
        foreach (var share in Pick(route.Shares, caller))
        {
            if (_catalog.Find(share.Target) is { } chosen)
            {
                var version = table.VersionOf(chosen.Id);
                return new(requested, chosen, version?.Name ?? chosen.Id, version?.Version, share.Experiment, share.Arm, Fallbacks(table, route, chosen));
            }
        }

        if (route.ActiveVersion is { } active && route.Versions.TryGetValue(active, out var target) && _catalog.Find(target) is { } model)
        {
            return new(requested, model, route.Name, active, null, null, Fallbacks(table, route, model));
        }

        return _catalog.Find(route.Name) is { } configured
            ? new RouteDecision(requested, configured, route.Name, table.VersionOf(configured.Id)?.Version, null, null, Fallbacks(table, route, configured))
            : null;
    }

    /// <summary>The share a caller falls in (by a stable hash of the experiment and the caller), then the others as reserves.</summary>
    private static IEnumerable<TrafficShare> Pick(IReadOnlyList<TrafficShare> shares, string? caller)
    {
        if (shares.Count == 0)
        {
            yield break;
        }

        var total = shares.Sum(s => s.Weight);
        if (total <= 0)
        {
            yield break;
        }

        var point = Bucket(shares[0].Experiment, caller) * total;
        var chosen = shares.Count - 1;
        var cumulative = 0.0;
        for (var i = 0; i < shares.Count; i++)
        {
            cumulative += shares[i].Weight;
            if (point < cumulative)
            {
                chosen = i;
                break;
            }
        }

        yield return shares[chosen];
        for (var i = 0; i < shares.Count; i++)
        {
            if (i != chosen && shares[i].Weight > 0)
            {
                yield return shares[i];
            }
        }
    }

    /// <summary>A caller's place in [0, 1) for one experiment: the same every time, independent between experiments.</summary>
    public static double Bucket(string experiment, string? caller)
    {
        if (caller is null)
        {
            return Random.Shared.NextDouble();
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(experiment + "\n" + caller), hash);
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>The chain after the chosen entry: the route's fallbacks (or the model's configured ones), each at its active version.</summary>
    private List<ServedModel> Fallbacks(RoutingTable table, ModelRoute? route, ServedModel chosen)
    {
        var names = route is { Fallbacks.Count: > 0 } ? route.Fallbacks : chosen.Fallbacks;
        var chain = new List<ServedModel>(names.Count);
        foreach (var name in names)
        {
            var next = table.Find(name) is { } fallback ? Choose(table, fallback with { Shares = [] }, name, null)?.Model : _catalog.Find(name);
            if (next is not null && next.Id != chosen.Id && next.Kind == chosen.Kind && !chain.Contains(next))
            {
                chain.Add(next);
            }
        }

        return chain;
    }
}
