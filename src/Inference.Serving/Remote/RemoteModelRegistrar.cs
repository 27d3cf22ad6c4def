using System.Net.Http.Json;
using Inference.Client;
using Inference.Serving.Catalog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Serving.Remote;

/// <summary>
/// Adds remote models to the catalog, each as a MEAI client over its provider: the models configured under
/// <c>Inference:Remote</c>, and every model of the Worker and Embeddings services an AppHost references
/// (<c>services:worker</c>, <c>services:embeddings</c>), read from their <c>/v1/models</c>.
/// </summary>
internal sealed partial class RemoteModelRegistrar(
    IOptions<RemoteModelsOptions> options,
    IConfiguration configuration,
    ModelCatalog catalog,
    RemoteModelFactory factory,
    WorkerReplicaSets replicaSets,
    IEnumerable<IRemoteModelTransport> transports,
    IHttpClientFactory httpClients,
    TimeProvider time,
    ILogger<RemoteModelRegistrar> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        foreach (var (id, definition) in settings.Remote.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            catalog.Add(factory.Create(id, definition, $"Inference:Remote:{id}"));
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

            var kind = info.Capabilities?.Tasks.Contains(ModelCapabilities.TextClassification) == true ? ModelKind.Classification
                : provider == "embeddings" || info.Capabilities?.Tasks.Contains(ModelCapabilities.Embeddings) == true ? ModelKind.Embedding
                : ModelKind.Chat;
            var overNats = kind == ModelKind.Chat && provider == "worker" && settings.Discovery.WorkerTransport == "nats";
            var served = overNats && settings.Discovery.WorkerReplicas > 1
                ? await ReplicatedAsync(info.Id, settings.Discovery, cancellationToken)
                : factory.Create(info.Id, provider, kind, new InferenceConnectionString(overNats ? new Uri(NatsServer(), "/v1") : new Uri(root, "/v1"), null, info.Id), []);
            // What the service says of the model, as its /v1/models lists it.
            catalog.Add(served with
            {
                Description = served.Description with
                {
                    ContextLength = info.Capabilities?.ContextLength,
                    Dimensions = kind == ModelKind.Embedding ? info.Capabilities?.EmbeddingLength : null,
                    EmbeddingLength = kind == ModelKind.Chat ? info.Capabilities?.EmbeddingLength : null,
                    Architecture = info.Capabilities?.Architecture,
                    Format = info.Capabilities?.Format,
                    ParameterCount = info.Capabilities?.ParameterCount,
                    Quantization = info.Capabilities?.Quantization,
                    ChatTemplate = info.Capabilities?.ChatTemplate,
                    ToolCallSyntax = info.Capabilities?.ToolCalls,
                    Reasoning = info.Capabilities?.Reasoning,
                    Labels = info.Capabilities?.Labels,
                },
            });
            Log.Discovered(logger, info.Id, provider, service);
        }
    }

    /// <summary>
    /// A Worker model served by its replicas, each addressed by name on the NATS server (as the AppHost's replicas share
    /// one HTTP address): found by asking the model's replicas to say who they are.
    /// </summary>
    private async Task<ServedModel> ReplicatedAsync(string model, ServiceDiscoveryOptions discovery, CancellationToken cancellationToken)
    {
        var server = NatsServer();
        var transport = transports.FirstOrDefault(t => t.Scheme == server.Scheme)
            ?? throw new InferenceConfigurationException($"Inference:Discovery:WorkerTransport is nats, but this service adds no {server.Scheme} transport.");
        var replicas = await transport.ReplicasAsync(server, model, discovery.WorkerReplicas, discovery.Timeout, cancellationToken);
        if (replicas.Count == 0)
        {
            throw new InferenceConfigurationException($"No Worker replica of '{model}' answered on {server} within {discovery.Timeout.TotalSeconds:0} s.");
        }

        if (replicas.Count < discovery.WorkerReplicas)
        {
            Log.FewerReplicas(logger, model, replicas.Count, discovery.WorkerReplicas);
        }

        var set = new WorkerReplicaSet(model, replicas);
        replicaSets.Add(set);
        return factory.CreateReplicated(model, set, model, []);
    }

    /// <summary>The NATS server the Worker's models are reached on (<c>ConnectionStrings:nats</c>).</summary>
    private Uri NatsServer() =>
        configuration.GetConnectionString("nats") is { Length: > 0 } text && Uri.TryCreate(text, UriKind.Absolute, out var server)
            ? server
            : throw new InferenceConfigurationException("Inference:Discovery:WorkerTransport is nats, but ConnectionStrings:nats (nats://host:port) is not set.");

    private async Task<RemoteModelList> ListModelsAsync(string service, Uri root, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var http = httpClients.CreateClient("inference-discovery-" + service);
        var started = time.GetTimestamp();
        while (true)
        {
            try
            {
                var list = await http.GetFromJsonAsync(new Uri(root, "/v1/models"), RemoteJsonContext.Default.RemoteModelList, cancellationToken);
                return list ?? new RemoteModelList([]);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
            {
                if (time.GetElapsedTime(started) >= timeout)
                {
                    throw new InferenceConfigurationException(
                        $"services:{service}: the service did not list its models at {root}v1/models within {timeout.TotalSeconds:0} s ({ex.Message}).");
                }

                Log.Waiting(logger, service, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Only {Found} of the {Expected} Worker replicas of {Model} answered on NATS; it is served by those.")]
        public static partial void FewerReplicas(ILogger logger, string model, int found, int expected);

        [LoggerMessage(Level = LogLevel.Information, Message = "Serving model {Model} through {Provider} service '{Service}'.")]
        public static partial void Discovered(ILogger logger, string model, string provider, string service);

        [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for service '{Service}' to list its models: {Reason}")]
        public static partial void Waiting(ILogger logger, string service, string reason);
    }
}
