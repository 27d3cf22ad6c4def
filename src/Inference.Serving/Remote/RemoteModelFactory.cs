using System.ClientModel;
using System.ClientModel.Primitives;
using Inference.Client;
using Inference.Serving.Catalog;
using Microsoft.Extensions.AI;
using Inference.Serving.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OllamaSharp;
using OpenAI;

namespace Inference.Serving.Remote;

/// <summary>
/// Builds a remote model as a MEAI client over its provider: our Worker and Embeddings services and any
/// OpenAI-compatible endpoint through Microsoft.Extensions.AI.OpenAI, Ollama through OllamaSharp. Named HttpClients carry
/// the service defaults (service discovery, resilience). Used for models from configuration, from referenced services
/// and from the database alike.
/// </summary>
public sealed class RemoteModelFactory(IConfiguration configuration, IServiceProvider services)
{
    /// <summary>The HttpClient every remote model's calls go through: service discovery, no resilience handler (routing does that).</summary>
    public const string HttpClientName = "inference-remote";

    /// <summary>A model from its definition; <paramref name="setting"/> names where it was configured, for errors.</summary>
    public ServedModel Create(string id, RemoteModelDefinition definition, string setting)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Replicas.Count > 0)
        {
            return Replicated(id, definition, setting);
        }

        var text = definition.ConnectionString ?? (definition.ConnectionName is { } name ? configuration.GetConnectionString(name) : null);
        InferenceConnectionString connection;
        try
        {
            connection = InferenceConnectionString.Parse(definition.ConnectionName ?? id, text, [.. Remote.Schemes]);
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
        if (connection.Endpoint.Scheme is not ("http" or "https") && provider is not ("worker" or "embeddings"))
        {
            throw new InferenceConfigurationException($"Model '{id}': {connection.Endpoint.Scheme} endpoints reach our Worker and Embeddings services only (provider worker or embeddings).");
        }

        var served = new ServedModel { Id = id, Kind = kind, Provider = provider, Description = new() { Source = $"{connection.Endpoint} ({model})" }, Endpoint = connection.Endpoint, RemoteId = model, Fallbacks = fallbacks };

        // Our services over another transport: the same OpenAI-compatible calls, carried by the transport's client
        // (the OpenAI client speaks HTTP; the transport's handler reads the server from the request's address).
        var (http, endpoint) = Remote.For(connection.Endpoint);
        connection = connection with { Endpoint = endpoint };
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

        if (kind == ModelKind.Classification)
        {
            // Classification is our own API (/v1/classify): only our Worker and Embeddings services answer it.
            if (provider is not ("worker" or "embeddings"))
            {
                throw new InferenceConfigurationException($"Model '{id}': a {provider} endpoint does not classify text; classifiers are served by our Embeddings (or Worker) service.");
            }

            return served with { Classifier = ModelPipeline.Classifier(new RemoteTextClassifier(http, connection.Endpoint, model, connection.Key), id, provider, services) };
        }

        var generator = provider == "ollama"
            ? (IEmbeddingGenerator<string, Embedding<float>>)Ollama(connection, http, model)
            : OpenAI(connection, http).GetEmbeddingClient(model).AsIEmbeddingGenerator();
        return served with { EmbeddingGenerator = ModelPipeline.Embeddings(generator, id, provider, services) };
    }

    private RemoteHttp Remote => services.GetRequiredService<RemoteHttp>();

    /// <summary>
    /// A catalog entry of the replicated model <paramref name="set"/> serving <paramref name="target"/>: its calls go to
    /// the replicas the set says serve it, where the model's id is <paramref name="workerModel"/>.
    /// </summary>
    public ServedModel CreateReplicated(string target, WorkerReplicaSet set, string workerModel, IReadOnlyList<string> fallbacks)
    {
        ArgumentNullException.ThrowIfNull(set);
        var client = new ReplicatedChatClient(
            set,
            target,
            replica =>
            {
                var (http, api) = Remote.For(WorkerReplicaSet.ApiOf(replica));
                return new InferenceParametersChatClient(OpenAI(new InferenceConnectionString(api, null, workerModel), http).GetChatClient(workerModel).AsIChatClient());
            },
            services.GetRequiredService<ProviderCircuitBreakers>());
        return new ServedModel
        {
            Id = target,
            Kind = ModelKind.Chat,
            Provider = "worker",
            RemoteId = workerModel,
            Description = new() { Source = $"{workerModel} on {string.Join(", ", set.Replicas.Select(WorkerReplicaSet.NameOf))}" },
            Replicas = set,
            Fallbacks = fallbacks,
            ChatClient = ModelPipeline.Chat(client, target, "worker", services),
            Constraints = OutputConstraints.All,
        };
    }

    private ServedModel Replicated(string id, RemoteModelDefinition definition, string setting)
    {
        if (!string.Equals(definition.Provider, "worker", StringComparison.OrdinalIgnoreCase) || definition.Kind is ModelKind.Embedding)
        {
            throw new InferenceConfigurationException($"{setting}:Replicas: replicas are Workers serving a chat model; set Provider to worker.");
        }

        var replicas = new List<Uri>(definition.Replicas.Count);
        foreach (var text in definition.Replicas)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !Remote.Schemes.Contains(uri.Scheme))
            {
                throw new InferenceConfigurationException($"{setting}:Replicas: '{text}' is not an address of a Worker ({string.Join(", ", Remote.Schemes)}).");
            }

            // An http Worker is its root; a Worker over another transport is named by its path (nats://server/replicas/NAME/).
            var root = uri.Scheme is "http" or "https" ? new Uri(uri.GetLeftPart(UriPartial.Authority) + "/") : new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
            if (replicas.Contains(root))
            {
                throw new InferenceConfigurationException($"{setting}:Replicas: '{text}' is listed twice.");
            }

            replicas.Add(root);
        }

        var connection = definition.ConnectionString ?? (definition.ConnectionName is { } name ? configuration.GetConnectionString(name) : null);
        var model = connection is null ? id : ModelOf(connection) ?? id;
        var set = new WorkerReplicaSet(id, replicas);
        services.GetRequiredService<WorkerReplicaSets>().Add(set);
        return CreateReplicated(id, set, model, definition.Fallbacks);
    }

    /// <summary>The <c>Model=</c> of a connection string that may have no endpoint (replicas bring their own).</summary>
    private static string? ModelOf(string connection) =>
        connection.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0].Equals("Model", StringComparison.OrdinalIgnoreCase))
            .Select(pair => pair[1])
            .LastOrDefault();

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
