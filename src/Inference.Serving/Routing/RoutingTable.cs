namespace Inference.Serving.Routing;

/// <summary>
/// Where each model name's traffic goes, as the registry says now: its versions, the active one, and any split of its
/// traffic (a canary deployment, an A/B test). Immutable: the registry publishes a new table on every change.
/// </summary>
public sealed class RoutingTable
{
    public static readonly RoutingTable Empty = new([]);

    private readonly Dictionary<string, ModelRoute> _routes;
    private readonly Dictionary<string, (string Name, string Version)> _versionsByTarget;

    public RoutingTable(IEnumerable<ModelRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        _routes = routes.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _versionsByTarget = new(StringComparer.Ordinal);
        foreach (var route in _routes.Values)
        {
            foreach (var (version, target) in route.Versions)
            {
                _versionsByTarget.TryAdd(target, (route.Name, version));
            }
        }
    }

    public IReadOnlyCollection<ModelRoute> Routes => _routes.Values;

    public ModelRoute? Find(string name) => _routes.GetValueOrDefault(name);

    /// <summary>The model name and version a catalog entry serves, when the registry knows it.</summary>
    public (string Name, string Version)? VersionOf(string target) =>
        _versionsByTarget.TryGetValue(target, out var found) ? found : null;
}

/// <summary>
/// One model name: each version's catalog entry, the version requests without one get, how that traffic is split
/// while a canary or an A/B test runs, and the models to fall back to.
/// </summary>
/// <param name="Versions">Version to the catalog id that serves it (<c>name</c> for the configured one, <c>name:version</c> for registered ones).</param>
/// <param name="Shares">When not empty, requests for the name go to one of these by weight (sticky per caller); else to the active version.</param>
public sealed record ModelRoute(
    string Name,
    string? ActiveVersion,
    IReadOnlyDictionary<string, string> Versions,
    IReadOnlyList<TrafficShare> Shares,
    IReadOnlyList<string> Fallbacks);

/// <summary>A part of a name's traffic: the catalog entry that takes it, its weight, and the experiment it belongs to.</summary>
/// <param name="Experiment">The deployment or A/B test splitting the traffic, recorded with each call.</param>
/// <param name="Arm">Which side of it this is: <c>stable</c> / <c>canary</c>, or <c>a</c> / <c>b</c>.</param>
public sealed record TrafficShare(string Target, double Weight, string Experiment, string Arm);
