using System.ClientModel;
using System.ClientModel.Primitives;
using Inference.Client;
using Inference.Serving.Catalog;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OllamaSharp;
using OpenAI;

namespace Inference.Serving.Remote;

/// <summary>
/// Adds the configured remote models to the catalog, each as a MEAI client over its provider: our Worker and
/// Embeddings services and any OpenAI-compatible endpoint through Microsoft.Extensions.AI.OpenAI, Ollama through
/// OllamaSharp. Named HttpClients carry the service defaults (service discovery, resilience).
/// </summary>
internal sealed class RemoteModelRegistrar(
    IOptions<RemoteModelsOptions> options,
    IConfiguration configuration,
    ModelCatalog catalog,
    IHttpClientFactory httpClients,
    IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (id, definition) in options.Value.Remote.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            catalog.Add(Create(id, definition));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private ServedModel Create(string id, RemoteModelDefinition definition)
    {
        var setting = $"Inference:Remote:{id}";
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
        var kind = definition.Kind ?? (provider == "embeddings" ? ModelKind.Embedding : ModelKind.Chat);
        var model = connection.Model ?? id;
        var http = httpClients.CreateClient("inference-remote-" + id);
        return provider switch
        {
            "worker" or "openai" or "embeddings" => kind == ModelKind.Chat
                ? Chat(id, OpenAI(connection, http).GetChatClient(model).AsIChatClient())
                : Embeddings(id, OpenAI(connection, http).GetEmbeddingClient(model).AsIEmbeddingGenerator()),
            "ollama" => kind == ModelKind.Chat ? Chat(id, Ollama(connection, http, model)) : Embeddings(id, Ollama(connection, http, model)),
            _ => throw new InferenceConfigurationException($"{setting}:Provider '{definition.Provider}' is unknown; use worker, embeddings, openai or ollama."),
        };
    }

    private ServedModel Chat(string id, IChatClient client) => new()
    {
        Id = id,
        Kind = ModelKind.Chat,
        ChatClient = ModelPipeline.Chat(client, id, services),
    };

    private ServedModel Embeddings(string id, IEmbeddingGenerator<string, Embedding<float>> generator) => new()
    {
        Id = id,
        Kind = ModelKind.Embedding,
        EmbeddingGenerator = ModelPipeline.Embeddings(generator, id, services),
    };

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
