using Inference.Transports.Nats;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Inference.Serving.Remote;
using NATS.Client.Core;
using NATS.Client.Hosting;
using NATS.Client.OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

public static class NatsTransportExtensions
{
    /// <summary>
    /// NATS as a transport beside HTTP when <c>ConnectionStrings:nats</c> is set (as an AppHost sets it): this service's
    /// chat and embedding models answered on their subjects in the replicas' queue group, with health, heartbeats and
    /// load reports, the client traced and metered. Without the connection string nothing is added.
    /// </summary>
    public static IHostApplicationBuilder AddNatsTransport(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddNatsRemoteModels();
        if (builder.Configuration.GetConnectionString(NatsOptions.ConnectionName) is not { Length: > 0 } url)
        {
            return builder;
        }

        builder.Services.AddOptions<NatsOptions>()
            .BindConfiguration(NatsOptions.SectionName)
            .Validate(o => !string.IsNullOrWhiteSpace(o.QueueGroup), "Inference:Nats:QueueGroup must not be empty.")
            .Validate(o => o.HeartbeatInterval > TimeSpan.Zero && o.MonitoringIdleInterval > TimeSpan.Zero && o.MonitoringBusyInterval > TimeSpan.Zero,
                "Inference:Nats:HeartbeatInterval, MonitoringIdleInterval and MonitoringBusyInterval must be positive.")
            .Validate(o => o.MaxMessageBytes > 0, "Inference:Nats:MaxMessageBytes must be positive.")
            .ValidateOnStart();
        var name = builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } service ? service : builder.Environment.ApplicationName;
        builder.Services.AddNats(configureOpts: opts => opts with
        {
            Url = url,
            Name = name,
            // A server not up yet (an AppHost starts everything at once) is retried, not fatal.
            RetryOnInitialConnect = true,
            DrainSubscriptionsOnDispose = true,
        });
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddNatsClientInstrumentation());
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddNatsClientInstrumentation());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<NatsTransportTelemetry>();
        builder.Services.TryAddSingleton<NatsReplica>();
        builder.Services.AddSingleton<NatsResponder>();
        builder.Services.AddHostedService(services => services.GetRequiredService<NatsResponder>());
        builder.Services.AddSingleton<Inference.Serving.Local.IServedModelsObserver>(services => services.GetRequiredService<NatsResponder>());
        builder.Services.AddHostedService<NatsStatusPublisher>();
        builder.Services.AddHostedService<NatsMembership>();
        builder.Services.AddHostedService<NatsReplicaRoutes>();
        return builder;
    }

    /// <summary>
    /// Remote models reached over NATS (<c>Inference:Remote:ID:ConnectionString</c> <c>Endpoint=nats://host:port;Model=...</c>,
    /// provider worker or embeddings): their OpenAI-compatible calls sent on the model's subject, shared by its replicas.
    /// </summary>
    public static IHostApplicationBuilder AddNatsRemoteModels(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(NatsConnections)))
        {
            return builder;
        }

        var replyTimeout = builder.Configuration.GetValue<TimeSpan?>($"{NatsOptions.SectionName}:{nameof(NatsOptions.ReplyTimeout)}") ?? new NatsOptions().ReplyTimeout;
        if (replyTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{NatsOptions.SectionName}:{nameof(NatsOptions.ReplyTimeout)} must be positive.");
        }

        builder.Services.AddSingleton<NatsConnections>();
        builder.Services.AddSingleton<IRemoteModelTransport, NatsRemoteTransport>();
#pragma warning disable EXTEXP0001 // routing retries and times the calls, as for the HTTP providers
        builder.Services.AddHttpClient(NatsRemoteTransport.ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services => new NatsHttpHandler(services.GetRequiredService<NatsConnections>(), replyTimeout))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }
}
