using Inference.Serving.Catalog;

namespace Inference.Serving.Remote;

/// <summary>A model served by another endpoint (<c>Inference:Remote:&lt;id&gt;</c>).</summary>
public sealed class RemoteModelDefinition
{
    /// <summary>worker, embeddings (our services), openai (any OpenAI-compatible endpoint) or ollama.</summary>
    public string Provider { get; set; } = "";

    /// <summary><c>Endpoint=...;Key=...;Model=...</c>; or leave empty and name a <see cref="ConnectionName"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>An entry of <c>ConnectionStrings</c>, as an Aspire AppHost provides them.</summary>
    public string? ConnectionName { get; set; }

    /// <summary>Chat or Embedding; embeddings providers default to Embedding, the others to Chat.</summary>
    public ModelKind? Kind { get; set; }

    /// <summary>
    /// The root addresses of the Worker replicas that serve this model, each addressed on its own (provider worker):
    /// calls take turns across them, each replica has its own circuit breaker, and rolling deployments load a new
    /// version on them one at a time. The connection then only names the model on the Workers (<c>Model=...</c>, the id by default).
    /// </summary>
    public List<string> Replicas { get; set; } = [];

    /// <summary>Models to try instead when this one fails, in order (recorded in the registry).</summary>
    public List<string> Fallbacks { get; set; } = [];
}
