using System.ClientModel;
using System.ClientModel.Primitives;
using Inference.Client;
using Inference.Serving.Catalog;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using OllamaSharp;
using OpenAI;

namespace Inference.Serving.Remote;

/// <summary>
/// Builds a remote model as a MEAI client over its provider: our Worker and Embeddings services and any
/// OpenAI-compatible endpoint through Microsoft.Extensions.AI.OpenAI, Ollama through OllamaSharp. Named HttpClients carry
/// the service defaults (service discovery, resilience). Used for models from configuration, from referenced services
/// and from the database alike.
/// </summary>
public sealed class RemoteModelFactory(IConfiguration configuration, IHttpClientFactory httpClients, IServiceProvider services)
{
    /// <summary>The HttpClient every remote model's calls go through: service discovery, no resilience handler (routing does that).</summary>
    public const string HttpClientName = "inference-remote";

    /// <summary>A model from its definition; <paramref name="setting"/> names where it was configured, for errors.</summary>
    public ServedModel Create(string id, RemoteModelDefinition definition, string setting)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var text = definition.ConnectionString ?? (definition.ConnectionName is { } name ? configuration.GetConnectionString(name) : null);
        InferenceConnectionString connection;
        try
        {
            connection = InferenceConnectionString.Parse(definition.ConnectionName ?? id, text);
        }
        catch (InvalidOperationException ex)
        {
            throw new InferenceConfigurationException($"{setting}: {ex.Message}");
        }

        var provider = definition.Provider.ToLowerInvariant();
        if (provider is not ("worker" or "openai" or "embeddings" or "ollama"))
        {
            throw new InferenceConfigurationException($"{setting}:Provider '{definition.Provider}' is unknown; use worker, embeddings, openai or ollama.");
        }

        var kind = definition.Kind ?? (provider == "embeddings" ? ModelKind.Embedding : ModelKind.Chat);
        return Create(id, provider, kind, connection, definition.Fallbacks);
    }

    /// <summary>A model served by <paramref name="provider"/> (worker, embeddings, openai or ollama) at <paramref name="connection"/>.</summary>
    public ServedModel Create(string id, string provider, ModelKind kind, InferenceConnectionString connection, IReadOnlyList<string> fallbacks)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var model = connection.Model ?? id;
        var http = httpClients.CreateClient(HttpClientName);
        var served = new ServedModel { Id = id, Kind = kind, Provider = provider, Source = $"{connection.Endpoint} ({model})", Endpoint = connection.Endpoint, Fallbacks = fallbacks };
        if (kind == ModelKind.Chat)
        {
            // Ollama enforces JSON formats and tools, not grammars; OpenAI-compatible endpoints (our Workers too) get every constraint forwarded.
            var client = provider == "ollama" ? (IChatClient)Ollama(connection, http, model) : new InferenceParametersChatClient(OpenAI(connection, http).GetChatClient(model).AsIChatClient());
            return served with
            {
                ChatClient = ModelPipeline.Chat(client, id, provider, services),
                Constraints = provider == "ollama" ? OutputConstraints.JsonSchema | OutputConstraints.Tools : OutputConstraints.All,
            };
        }

        var generator = provider == "ollama"
            ? (IEmbeddingGenerator<string, Embedding<float>>)Ollama(connection, http, model)
            : OpenAI(connection, http).GetEmbeddingClient(model).AsIEmbeddingGenerator();
        return served with { EmbeddingGenerator = ModelPipeline.Embeddings(generator, id, provider, services) };
    }

    private static OpenAIClient OpenAI(InferenceConnectionString connection, HttpClient http) => new(
        new ApiKeyCredential(connection.Key ?? "none"),
        new OpenAIClientOptions
        {
            Endpoint = connection.Endpoint,
            Transport = new HttpClientPipelineTransport(http),
            // The HttpClient's resilience handler retries; a second retry layer would multiply attempts.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });

    private static OllamaApiClient Ollama(InferenceConnectionString connection, HttpClient http, string model)
    {
        // Ollama's API lives at the server root, not under /v1.
        http.BaseAddress = new Uri(connection.Endpoint, "/");
        return new OllamaApiClient(http, model);
    }
}
