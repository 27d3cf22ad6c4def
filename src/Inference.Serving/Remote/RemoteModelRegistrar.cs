using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Json;
using Inference.Client;
using Inference.Serving.Catalog;
using Inference.Serving.OpenAI;
using Inference.Serving.OpenAI.Contracts;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OllamaSharp;
using OpenAI;

namespace Inference.Serving.Remote;

/// <summary>
/// Adds remote models to the catalog, each as a MEAI client over its provider: the models configured under
/// <c>Inference:Remote</c>, and every model of the Worker and Embeddings services an AppHost references
/// (<c>services:worker</c>, <c>services:embeddings</c>). Our services and any OpenAI-compatible endpoint go through
/// Microsoft.Extensions.AI.OpenAI, Ollama through OllamaSharp. Named HttpClients carry the service defaults
/// (service discovery, resilience).
/// </summary>
internal sealed partial class RemoteModelRegistrar(
    IOptions<RemoteModelsOptions> options,
    IConfiguration configuration,
    ModelCatalog catalog,
    IHttpClientFactory httpClients,
    TimeProvider time,
    IServiceProvider services,
    ILogger<RemoteModelRegistrar> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        foreach (var (id, definition) in settings.Remote.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            catalog.Add(Create(id, definition));
        }

        foreach (var (service, provider) in ReferencedServices(configuration, settings.Discovery))
        {
            await DiscoverAsync(service, provider, settings, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The Worker and Embeddings services an AppHost passed as <c>services:&lt;name&gt;</c>, with their provider kind.</summary>
    public static IEnumerable<(string Service, string Provider)> ReferencedServices(IConfiguration configuration, ServiceDiscoveryOptions discovery)
    {
        if (configuration.GetSection("services").GetSection(discovery.Worker).Exists())
        {
            yield return (discovery.Worker, "worker");
        }

        if (configuration.GetSection("services").GetSection(discovery.Embeddings).Exists())
        {
            yield return (discovery.Embeddings, "embeddings");
        }
    }

    private async Task DiscoverAsync(string service, string provider, RemoteModelsOptions settings, CancellationToken cancellationToken)
    {
        var root = new Uri($"http://{service}");
        var models = await ListModelsAsync(service, root, settings.Discovery.Timeout, cancellationToken);
        foreach (var info in models.Data)
        {
            if (settings.Remote.ContainsKey(info.Id))
            {
                continue; // an explicit Inference:Remote entry for the same id wins
            }

            var kind = provider == "embeddings" || info.Capabilities?.Tasks.Contains(ModelCapabilities.Embeddings) == true ? ModelKind.Embedding : ModelKind.Chat;
            var served = Create(info.Id, provider, kind, new InferenceConnectionString(new Uri(root, "/v1"), null, info.Id), []);
            catalog.Add(served with
            {
                ContextLength = info.Capabilities?.ContextLength,
                Dimensions = info.Capabilities?.EmbeddingLength,
                ParameterCount = info.Capabilities?.ParameterCount,
                Quantization = info.Capabilities?.Quantization,
                ChatTemplate = info.Capabilities?.ChatTemplate,
            });
            Log.Discovered(logger, info.Id, provider, service);
        }
    }

    private async Task<ModelList> ListModelsAsync(string service, Uri root, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var http = httpClients.CreateClient("inference-discovery-" + service);
        var deadline = time.GetTimestamp();
        while (true)
        {
            try
            {
                var list = await http.GetFromJsonAsync(new Uri(root, "/v1/models"), OpenAIJsonContext.Default.ModelList, cancellationToken);
                return list ?? new ModelList([]);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
            {
                if (time.GetElapsedTime(deadline) >= timeout)
                {
                    throw new InferenceConfigurationException(
                        $"services:{service}: the service did not list its models at {root}v1/models within {timeout.TotalSeconds:0} s ({ex.Message}).");
                }

                Log.Waiting(logger, service, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }
    }

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
        if (provider is not ("worker" or "openai" or "embeddings" or "ollama"))
        {
            throw new InferenceConfigurationException($"{setting}:Provider '{definition.Provider}' is unknown; use worker, embeddings, openai or ollama.");
        }

        var kind = definition.Kind ?? (provider == "embeddings" ? ModelKind.Embedding : ModelKind.Chat);
        return Create(id, provider, kind, connection, definition.Fallbacks);
    }

    private ServedModel Create(string id, string provider, ModelKind kind, InferenceConnectionString connection, IReadOnlyList<string> fallbacks)
    {
        var model = connection.Model ?? id;
        var http = httpClients.CreateClient("inference-remote-" + id);
        var served = new ServedModel { Id = id, Kind = kind, Provider = provider, Source = $"{connection.Endpoint} ({model})", Fallbacks = fallbacks };
        if (kind == ModelKind.Chat)
        {
            var client = provider == "ollama" ? Ollama(connection, http, model) : OpenAI(connection, http).GetChatClient(model).AsIChatClient();
            return served with { ChatClient = ModelPipeline.Chat(client, id, provider, services) };
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

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Serving model {Model} through {Provider} service '{Service}'.")]
        public static partial void Discovered(ILogger logger, string model, string provider, string service);

        [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for service '{Service}' to list its models: {Reason}")]
        public static partial void Waiting(ILogger logger, string service, string reason);
    }
}
