using System.Text.Json;
using Inference.Storage.Data;
using Inference.Lifecycle.Registry;
using Inference.Serving.Catalog;
using Inference.Serving.Routing;

namespace Inference.Lifecycle;

/// <summary>
/// The routing table from the registry's rows: each model's servable versions (the configured one under the bare
/// name, registered ones as <c>name:version</c> when this service has them in its catalog), its active version, its
/// fallbacks, and the traffic split of a running canary deployment or A/B test.
/// </summary>
internal static class RoutingTableBuilder
{
    public const string Stable = "stable";
    public const string Canary = "canary";
    public const string ArmA = "a";
    public const string ArmB = "b";

    public static string TargetId(string model, ModelVersion version) =>
        version.Origin == VersionOrigins.Registered ? $"{model}:{version.Version}" : model;

    /// <summary>
    /// True when this service has the version in its catalog: a registered one as <c>name:version</c> (a Worker-loaded
    /// one only where some replica runs it), the configured one (only the configuration's current version) under the bare name.
    /// </summary>
    public static bool IsServable(string model, ModelVersion version, ModelCatalog catalog, ModelRegistry registry) =>
        version.Origin == VersionOrigins.Registered
            ? catalog.Find(TargetId(model, version)) is { } served && (served.Replicas is not { } set || set.MembersOf(served.Id).Count > 0)
            : registry.ConfiguredVersion(model) == version.Version && catalog.Find(model) is not null;

    public static RoutingTable Build(
        IReadOnlyList<RegisteredModel> models, IReadOnlyList<Deployment> canaries, IReadOnlyList<AbTest> tests, ModelCatalog catalog, ModelRegistry registry)
    {
        var routes = new Dictionary<string, ModelRoute>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            var versions = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var version in model.Versions)
            {
                if (IsServable(model.Id, version, catalog, registry))
                {
                    versions[version.Version] = TargetId(model.Id, version);
                }
            }

            var fallbacks = JsonSerializer.Deserialize(model.Fallbacks, LifecycleJsonContext.Default.ListString) ?? [];
            routes[model.Id] = new ModelRoute(model.Id, model.Versions.FirstOrDefault(v => v.IsDefault)?.Version, versions, [], fallbacks);
        }

        foreach (var deployment in canaries)
        {
            if (routes.TryGetValue(deployment.ModelId, out var route)
                && route.Versions.TryGetValue(deployment.Version, out var canary)
                && Target(routes, catalog, deployment.ModelId, deployment.PreviousVersion ?? route.ActiveVersion) is { } stable)
            {
                var share = Math.Clamp(deployment.Percent / 100, 0, 1);
                routes[route.Name] = route with
                {
                    Shares = [new(stable, 1 - share, deployment.Id, Stable), new(canary, share, deployment.Id, Canary)],
                };
            }
        }

        foreach (var test in tests)
        {
            var a = ModelReference.Parse(test.ModelA);
            var b = ModelReference.Parse(test.ModelB);
            if (Target(routes, catalog, a.Name, a.Version) is { } targetA && Target(routes, catalog, b.Name, b.Version) is { } targetB)
            {
                var route = routes.GetValueOrDefault(test.Route) ?? new ModelRoute(test.Route, null, new Dictionary<string, string>(), [], []);
                routes[test.Route] = route with
                {
                    Shares = [new(targetA, 1 - test.TrafficSplit, test.Id, ArmA), new(targetB, test.TrafficSplit, test.Id, ArmB)],
                };
            }
        }

        return new RoutingTable(routes.Values);
    }

    /// <summary>The catalog id serving <paramref name="name"/> at <paramref name="version"/> (its active one when null).</summary>
    public static string? Target(IReadOnlyDictionary<string, ModelRoute> routes, ModelCatalog catalog, string name, string? version)
    {
        if (routes.TryGetValue(name, out var route))
        {
            var wanted = version ?? route.ActiveVersion;
            if (wanted is not null && route.Versions.TryGetValue(wanted, out var target))
            {
                return target;
            }

            return version is null && catalog.Find(name) is not null ? name : null;
        }

        var id = version is null ? name : $"{name}:{version}";
        return catalog.Find(id) is not null ? id : null;
    }
}
