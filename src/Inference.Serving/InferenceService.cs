using Inference.Serving.Catalog;
using Inference.Serving.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Serving;

/// <summary>
/// The serving core's entry point, what every surface and transport calls: it finds the model a request names, routed
/// for the request's caller (<see cref="InferenceContext.Current"/>: versions, traffic splits, the key's models and its
/// overflow model), as a <see cref="RoutedModel"/> whose clients run the request along its fallbacks, through each
/// provider's circuit breaker, residency, cache and audit log, and which says afterwards who answered.
/// </summary>
public sealed class InferenceService(
    ModelCatalog catalog, ModelRouter router, ProviderCircuitBreakers breakers, IOptions<RoutingOptions> options, TimeProvider time, ILogger<RouteRunner> logger)
{
    public ModelCatalog Catalog => catalog;

    public ModelRouter Router => router;

    /// <summary>
    /// The model <paramref name="requested"/> names, routed for this request, or why there is none: a blank name, the
    /// models still loading, a name nothing serves (or the caller's key may not use), a model of another kind.
    /// </summary>
    /// <param name="kind">The kind the request needs (a chat request needs a chat model); any when null.</param>
    /// <param name="user">The end user the request names (OpenAI's <c>user</c>), for sticky traffic splits.</param>
    /// <param name="useFallbacks">False keeps the request on its model; fallbacks are used by default.</param>
    public ModelLookup Find(string? requested, ModelKind? kind = null, string? user = null, bool? useFallbacks = null)
    {
        if (string.IsNullOrWhiteSpace(requested))
        {
            return new(null, ModelLookupFailure.Blank, requested ?? "");
        }

        if (!catalog.IsReady)
        {
            return new(null, ModelLookupFailure.NotReady, requested);
        }

        // A caller whose limit is reached may overflow to its key's overflow model; a caller never sees a model its key
        // may not use (as any unknown model: OpenAI's answer for a model the key has no access to).
        var context = InferenceContext.Current;
        var name = context?.Usage?.OverflowModel ?? requested;
        if (!InferenceContext.MayUse(name) || router.Resolve(name, string.IsNullOrWhiteSpace(user) ? context?.Affinity : user) is not { } decision)
        {
            return new(null, ModelLookupFailure.NotFound, requested);
        }

        if (kind is { } needed && decision.Model.Kind != needed)
        {
            return new(null, ModelLookupFailure.WrongKind, requested);
        }

        var runner = new RouteRunner(decision, useFallbacks ?? true, breakers, options.Value, router.Table, time, logger);
        if (context is not null)
        {
            context.Route = runner;
        }

        return new(new RoutedModel(decision.Model, runner), ModelLookupFailure.None, requested);
    }

    /// <summary>A model's id as the answers name it: <c>name:version</c> when the routing table knows its version.</summary>
    public string Versioned(string id) => router.Table.VersionOf(id) is { } known ? $"{known.Name}:{known.Version}" : id;

    /// <summary>A model's id as its name and version, when the routing table knows its version; else the id alone.</summary>
    public (string Name, string? Version) NameAndVersion(string id) => router.Table.VersionOf(id) is { } known ? (known.Name, known.Version) : (id, null);
}
