using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Inference.Monitoring.Alerts;
using Inference.Serving.Auditing;
using Inference.Serving.Catalog;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Monitoring.Services;

/// <summary>
/// This service and every service its models are routed to. Our Worker and Embeddings services are asked for their own
/// <c>/api/services</c> (so the gateway shows their queues and backpressure); other providers (Ollama, OpenAI-compatible
/// APIs) are judged by the calls made to them.
/// </summary>
internal sealed partial class ServiceDirectory(
    ModelCatalog catalog,
    IHttpClientFactory httpClients,
    IOptions<MonitoringOptions> options,
    IOptions<BackpressureOptions> backpressure,
    IOptions<AlertOptions> alertOptions,
    TimeProvider time,
    IConfiguration configuration,
    IHostEnvironment environment,
    RemoteOperationalEvents remoteEvents,
    ILogger<ServiceDirectory> logger)
{
    public const string HttpClientName = "inference-monitoring";

    private readonly DateTimeOffset _started = time.GetUtcNow();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);

    /// <summary>The service's name: Aspire's OTEL_SERVICE_NAME (the resource's name), else the application's.</summary>
    public string SelfName => configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : environment.ApplicationName;

    /// <summary>
    /// Every service now, from this one's health and the recent <paramref name="calls"/>; the caller adds this service's
    /// health score, which is scored from this snapshot.
    /// </summary>
    public async Task<ServicesSnapshot> SampleAsync(HealthReport health, double memoryPercent, IReadOnlyList<InferenceCall> calls, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var models = catalog.Models;
        var local = models.Where(m => m.IsLocal).ToList();
        var self = new ServiceStatus
        {
            Name = SelfName,
            Kind = local.Count > 0 && local.All(m => m.Kind == ModelKind.Chat) && models.Count == local.Count ? "worker"
                : local.Count > 0 && local.All(m => m.Kind is ModelKind.Embedding or ModelKind.Classification) && models.Count == local.Count ? "embeddings"
                : "gateway",
            Status = !catalog.IsReady ? ServiceStatus.Degraded : health.Status switch
            {
                HealthStatus.Healthy => ServiceStatus.Online,
                HealthStatus.Degraded => ServiceStatus.Degraded,
                _ => ServiceStatus.Offline,
            },
            Detail = !catalog.IsReady ? "Loading models." : Problems(health),
            FirstSeen = _started,
            LastSeen = now,
            UptimeSeconds = Math.Round((now - _started).TotalSeconds, 1),
            MemoryUsagePercent = memoryPercent,
            Models = [.. local.Select(m => ModelStatusBuilder.Build(m, calls, now, options.Value, backpressure.Value, alertOptions.Value.ModelDownAfter))],
        };

        // A replicated model's Workers each show as a service of their own.
        var remotes = models
            .SelectMany(m => m.Endpoint is { } endpoint ? [(Model: m, Root: Root(endpoint))] : (m.Replicas?.Replicas ?? []).Select(r => (Model: m, Root: r)))
            .GroupBy(x => (x.Model.Provider, x.Root))
            .Select(g => RemoteAsync(g.Key.Provider, g.Key.Root, [.. g.Select(x => x.Model)], calls, now, cancellationToken));
        return new ServicesSnapshot(now, [self, .. await Task.WhenAll(remotes)]);
    }

    private async Task<ServiceStatus> RemoteAsync(
        string provider, Uri root, IReadOnlyList<ServedModel> models, IReadOnlyList<InferenceCall> calls, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = $"{provider} {root}";
        // As service discovery names it (http://worker), else by the provider and its address.
        var named = provider is "worker" or "embeddings" && !System.Net.IPAddress.TryParse(root.Host, out _) && !root.IsLoopback;
        var name = named ? root.Host : $"{provider} ({Inference.Serving.Remote.WorkerReplicaSet.NameOf(root)})";
        var fromCalls = models.Select(m => ModelStatusBuilder.Build(m, calls, now, options.Value, backpressure.Value, alertOptions.Value.ModelDownAfter)).ToList();
        if (provider is not ("worker" or "embeddings") || root.Scheme is not ("http" or "https"))
        {
            // Not ours, or ours over another transport (NATS): what the calls to it say.
            var last = calls.LastOrDefault(c => models.Any(m => m.Id == c.Model) && c.Status != InferenceCall.Cancelled);
            if (last?.Status == InferenceCall.Ok)
            {
                Seen(key, last.Timestamp);
            }

            return Remote(key, name, provider, root, last is null ? ServiceStatus.Unknown : last.Status == InferenceCall.Ok ? ServiceStatus.Online : ServiceStatus.Degraded,
                last?.Status == InferenceCall.Failed ? last.Error : null, null, fromCalls);
        }

        var watch = Stopwatch.StartNew();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.ServiceTimeout);
            var http = httpClients.CreateClient(HttpClientName);
            var snapshot = await http.GetFromJsonAsync(new Uri(root, "/api/services"), MonitoringJsonContext.Default.ServicesSnapshot, timeout.Token).ConfigureAwait(false);
            var elapsed = watch.Elapsed.TotalMilliseconds;
            var own = snapshot?.Services.FirstOrDefault() ?? throw new InvalidOperationException("The service listed no services.");
            Seen(key, now);
            await CollectEventsAsync(http, key, root, timeout.Token, cancellationToken).ConfigureAwait(false);
            return own with
            {
                Name = name,
                Kind = provider,
                Endpoint = root.ToString(),
                ResponseTimeMs = Math.Round(elapsed, 1),
                FirstSeen = _firstSeen[key],
                LastSeen = now,
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            var reason = ex is OperationCanceledException ? $"no answer within {options.Value.ServiceTimeout.TotalSeconds:0.#} s" : ex.Message;
            ServiceUnreachable(logger, name, root, reason);
            return Remote(key, name, provider, root, ServiceStatus.Offline, reason, null,
                [.. fromCalls.Select(m => m with { Status = ModelStatus.Offline })]);
        }
    }

    /// <summary>The service's operational events since the last sample, into this one's sinks; a failure waits for the next sample.</summary>
    private async Task CollectEventsAsync(HttpClient http, string key, Uri root, CancellationToken timeout, CancellationToken cancellationToken)
    {
        try
        {
            await remoteEvents.CollectAsync(http, key, root, timeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException && !cancellationToken.IsCancellationRequested)
        {
            ServiceUnreachable(logger, key, root, ex.Message);
        }
    }

    private ServiceStatus Remote(string key, string name, string provider, Uri root, string status, string? detail, double? responseTime, IReadOnlyList<ModelStatus> models) => new()
    {
        Name = name,
        Kind = provider,
        Endpoint = root.ToString(),
        Status = status,
        Detail = detail,
        ResponseTimeMs = responseTime,
        FirstSeen = _firstSeen.TryGetValue(key, out var first) ? first : null,
        LastSeen = _lastSeen.TryGetValue(key, out var last) ? last : null,
        Models = models,
    };

    private void Seen(string key, DateTimeOffset at)
    {
        _firstSeen.TryAdd(key, at);
        _lastSeen[key] = at;
    }

    private static string? Problems(HealthReport health)
    {
        var failing = health.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"{e.Key}: {e.Value.Status}").ToList();
        return failing.Count == 0 ? null : string.Join("; ", failing);
    }

    /// <summary>The service's root (an OpenAI-compatible endpoint ends in /v1).</summary>
    private static Uri Root(Uri endpoint) => new(endpoint.GetLeftPart(UriPartial.Authority) + "/");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Service {Service} at {Endpoint} did not answer its status: {Reason}")]
    private static partial void ServiceUnreachable(ILogger logger, string service, Uri endpoint, string reason);
}
