using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Inference.Serving.Catalog;

namespace Inference.Serving.Remote;

/// <summary>
/// Forwards a request about a model to the Worker that serves it, on the same route, naming the model as the Worker
/// does: what the gateway cannot answer itself (a prompt rendered with the Worker's template, its tokenizer's ids).
/// </summary>
public sealed class ModelForwarding(RemoteHttp remote)
{
    /// <summary>
    /// True when <paramref name="model"/> is served by one of our Workers, which answer the same routes, and not here
    /// (this service has no chat format of its own for it).
    /// </summary>
    public static bool CanForward(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Provider == "worker" && ServedByOurs(model) && model.ChatClient?.GetService(typeof(Inference.Engines.Templates.ChatFormat)) is null;
    }

    /// <summary>True when <paramref name="model"/> is served by one of our Workers or Embeddings services, which answer the same routes.</summary>
    public static bool ServedByOurs(ServedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Provider is "worker" or "embeddings" && model.RemoteId is not null
            && (model.Endpoint?.Scheme is "http" or "https" || model.Replicas is { Replicas: [{ Scheme: "http" or "https" }, ..] });
    }

    /// <summary>Posts <paramref name="body"/> to <paramref name="path"/> (from the service's root) where the model is served; the answer's status and body.</summary>
    public async Task<(int Status, string Body)> PostAsync(ServedModel model, string path, JsonObject body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(body);
        var root = model.Replicas is { } set
            ? set.MembersOf(model.Id).FirstOrDefault() ?? throw new NoReplicaException($"No replica serves '{model.Id}' now.")
            : new Uri(model.Endpoint!.ToString().TrimEnd('/') is var endpoint && endpoint.EndsWith("/v1", StringComparison.Ordinal) ? endpoint[..^3] + "/" : endpoint + "/");
        body["model"] = model.RemoteId;
        var (http, address) = remote.For(new Uri(root, path.TrimStart('/')));
        using var response = await http.PostAsJsonAsync(address, body, cancellationToken).ConfigureAwait(false);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }
}
