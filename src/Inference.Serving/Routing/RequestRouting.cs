using Inference.Serving.Catalog;
using Inference.Serving.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Serving.Routing;

/// <summary>
/// What the HTTP APIs call to find a request's model: the router's decision, served through a
/// <see cref="RoutedChatClient"/> / <see cref="RoutedEmbeddingGenerator"/> that falls back along the chain. The
/// response says which model answered: the <c>model</c> field and the <c>x-inference-model</c> header (with
/// <c>x-inference-fallback</c> when a fallback did).
/// </summary>
public sealed class RequestRouting(ModelRouter router, ProviderCircuitBreakers breakers, IOptions<RoutingOptions> options, TimeProvider time, ILogger<RouteRunner> logger)
{
    public const string ModelHeader = "x-inference-model";
    public const string FallbackHeader = "x-inference-fallback";

    public ModelRouter Router => router;

    /// <summary>The id of the model that answered a routed request (its own id when it was not routed, or before it answered).</summary>
    public static string AnsweringId(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var runner = model.ChatClient?.GetService(typeof(RouteRunner)) as RouteRunner
            ?? model.EmbeddingGenerator?.GetService(typeof(RouteRunner)) as RouteRunner
            ?? model.Classifier?.GetService(typeof(RouteRunner)) as RouteRunner;
        return runner?.AnsweredBy.Id ?? model.Id;
    }

    /// <summary>A model's id as the answers name it: <c>name:version</c> when the routing table knows its version.</summary>
    public string Versioned(string id) => router.Table.VersionOf(id) is { } known ? $"{known.Name}:{known.Version}" : id;

    /// <summary>A model's id as its name and version, when the routing table knows its version; else the id alone.</summary>
    public (string Name, string? Version) NameAndVersion(string id) => router.Table.VersionOf(id) is { } known ? (known.Name, known.Version) : (id, null);

    /// <summary>The model that serves <paramref name="requested"/> for this request, or null when none does.</summary>
    /// <param name="user">The end user the request names (OpenAI's <c>user</c>), for sticky traffic splits.</param>
    /// <param name="useFallbacks">False keeps the request on its model (seed 003's <c>use_fallbacks</c>).</param>
    public ServedModel? Route(string requested, HttpContext? http, string? user = null, bool? useFallbacks = null)
    {
        // A caller whose limit is reached may overflow to its key's overflow model; a caller never sees a model its key
        // may not use (a 404 like any unknown model: OpenAI's answer for a model the key has no access to).
        requested = RequestUsage.Of(http)?.OverflowModel ?? requested;
        if (!InferenceCaller.MayUse(http, requested) || router.Resolve(requested, CallerIdentity.Of(http, user)) is not { } decision)
        {
            return null;
        }

        var runner = new RouteRunner(decision, useFallbacks ?? true, breakers, options.Value, router.Table, time, logger);
        http?.Response.OnStarting(static state =>
        {
            var (response, runner) = ((HttpResponse, RouteRunner))state;
            response.Headers[ModelHeader] = runner.AnsweredBy.Id;
            if (runner.FellBack)
            {
                response.Headers[FallbackHeader] = runner.Decision.Model.Id;
            }

            return Task.CompletedTask;
        }, (http.Response, runner));

        var model = decision.Model;
        return model with
        {
            ChatClient = model.ChatClient is null ? null : new RoutedChatClient(runner),
            EmbeddingGenerator = model.EmbeddingGenerator is null ? null : new RoutedEmbeddingGenerator(runner),
            Classifier = model.Classifier is null ? null : new RoutedTextClassifier(runner),
        };
    }
}
