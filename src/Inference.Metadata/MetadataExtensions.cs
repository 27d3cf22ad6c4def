using Inference.Metadata;
using Inference.Metadata.Auditing;
using Inference.Metadata.Batches;
using Inference.Metadata.Data;
using Inference.Metadata.Downloads;
using Inference.Metadata.Events;
using Inference.Metadata.Experiments;
using Inference.Metadata.Grammars;
using Inference.Metadata.Jobs;
using Inference.Metadata.Lifecycle;
using Inference.Metadata.Quotas;
using Inference.Metadata.Registry;
using Inference.Metadata.Security;
using Inference.Serving.Auditing;
using Inference.Serving.Catalog;
using Inference.Serving.Events;
using Inference.Serving.Grammars;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

public static class MetadataExtensions
{
    /// <summary>
    /// The model registry and the request audit log: on PostgreSQL when <c>ConnectionStrings:metadata</c> is set (as an
    /// Aspire AppHost sets it), else in an embedded SQLite file. Migrations are applied at start; audit rows are
    /// written in the background.
    /// </summary>
    public static IHostApplicationBuilder AddInferenceMetadata(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connectionString = builder.Configuration.GetConnectionString(MetadataOptions.ConnectionName);
        var connectionError = ValidatePostgres(connectionString);
        builder.Services.AddOptions<MetadataOptions>()
            .BindConfiguration(MetadataOptions.SectionName)
            .Validate(o => !string.IsNullOrWhiteSpace(o.SqlitePath), "Inference:Metadata:SqlitePath must not be empty.")
            .Validate(o => o.Audit.Capacity > 0, "Inference:Metadata:Audit:Capacity must be positive.")
            .Validate(o => o.Audit.BatchSize > 0, "Inference:Metadata:Audit:BatchSize must be positive.")
            .Validate(o => o.Audit.FlushInterval >= TimeSpan.Zero, "Inference:Metadata:Audit:FlushInterval must not be negative.")
            .Validate(o => o.Audit.MaxRetryDelay > TimeSpan.Zero, "Inference:Metadata:Audit:MaxRetryDelay must be positive.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Audit.SpillDirectory), "Inference:Metadata:Audit:SpillDirectory must not be empty.")
            .Validate(_ => connectionError is null, connectionError ?? "")
            .ValidateOnStart();

        if (!string.IsNullOrEmpty(connectionString))
        {
            builder.Services.AddDbContextFactory<PostgresMetadataDbContext>(o => o.UseNpgsql(connectionString));

            // Aspire's Npgsql EF Core integration adds its tracing and metrics. Its retries and health check are off: the
            // audit writer retries with backoff itself, and a PostgreSQL that is down makes the Api Degraded, not Unhealthy.
            builder.EnrichNpgsqlDbContext<PostgresMetadataDbContext>(settings =>
            {
                settings.DisableRetry = true;
                settings.DisableHealthChecks = true;
            });
            builder.Services.TryAddSingleton<IDbContextFactory<MetadataDbContext>, MetadataDbContextFactory<PostgresMetadataDbContext>>();
        }
        else
        {
            builder.Services.AddDbContextFactory<SqliteMetadataDbContext>((services, o) =>
                o.UseSqlite($"Data Source={Path.GetFullPath(services.GetRequiredService<IOptions<MetadataOptions>>().Value.SqlitePath)}"));
            builder.Services.TryAddSingleton<IDbContextFactory<MetadataDbContext>, MetadataDbContextFactory<SqliteMetadataDbContext>>();
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<MetadataState>();
        builder.Services.AddSingleton<ModelRegistry>();
        builder.Services.AddSingleton<IModelVersions>(sp => sp.GetRequiredService<ModelRegistry>());
        builder.Services.AddSingleton<IGrammarLibrary, GrammarLibrary>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<IInferenceAuditLog>(sp => sp.GetRequiredService<AuditLog>());
        builder.Services.AddSingleton<MetadataTelemetry>();
        builder.Services.AddSingleton<OperationalEventLog>();
        builder.Services.AddSingleton<IOperationalEventSink>(sp => sp.GetRequiredService<OperationalEventLog>());
        builder.Services.AddSingleton<IOperationalEventStore, DatabaseOperationalEventStore>();
        builder.Services.AddOptions<ModelPricingOptions>().Configure<IConfiguration>((o, c) =>
        {
            foreach (var model in c.GetSection(ModelPricingOptions.SectionName).GetChildren())
            {
                o.Models[model.Key] = model.Get<ModelPrice>() ?? new();
            }
        });
        builder.Services.AddSingleton<ModelPrices>();
        builder.Services.AddSingleton<ModelLifecycle>();
        builder.Services.AddSingleton<DeploymentManager>();
        builder.Services.AddSingleton<RollingQueue>();
        builder.Services.AddOptions<DeploymentOptions>()
            .BindConfiguration(DeploymentOptions.SectionName)
            .Validate(o => o.ReplicaTimeout > TimeSpan.Zero && o.ResumeInterval > TimeSpan.Zero, "Inference:Deployments:ReplicaTimeout and ResumeInterval must be positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<AbTestManager>();
        builder.Services.AddHostedService<MetadataInitializer>();
        builder.Services.AddHostedService<LifecycleRefresher>();
        builder.Services.AddHostedService<RollingDeployments>();
        builder.Services.AddOptions<JobOptions>()
            .BindConfiguration(JobOptions.SectionName)
            .Validate(o => o.Concurrency >= 1 && o.MaxItems >= 1 && o.MaxAttempts >= 1, "Inference:Jobs:Concurrency, MaxItems and MaxAttempts must be at least 1.")
            .Validate(o => o.ClaimTimeout > TimeSpan.Zero && o.PollInterval > TimeSpan.Zero, "Inference:Jobs:ClaimTimeout and PollInterval must be positive.")
            .Validate(o => o.DatabasePollInterval > TimeSpan.Zero, "Inference:Jobs:DatabasePollInterval must be positive.")
            .Validate(o => o.WebhookMaxAttempts >= 1 && o.WebhookRetryDelay > TimeSpan.Zero && o.WebhookTimeout > TimeSpan.Zero, "Inference:Jobs:WebhookMaxAttempts must be at least 1, WebhookRetryDelay and WebhookTimeout positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<JobStream>();
        builder.Services.AddSingleton<InferenceJobs>();
        builder.Services.AddSingleton<OpenAIBatches>();
        builder.Services.AddHostedService<JobProcessor>();
        builder.Services.AddHostedService<JobWebhooks>();
        builder.Services.AddOptions<HubOptions>()
            .BindConfiguration(HubOptions.SectionName)
            .PostConfigure(o =>
            {
                if (builder.Configuration["HF_ENDPOINT"] is { Length: > 0 } endpoint && builder.Configuration[$"{HubOptions.SectionName}:Endpoint"] is null)
                {
                    o.Endpoint = new Uri(endpoint);
                }

                o.Token ??= builder.Configuration["HF_TOKEN"];
                o.Endpoint = o.Endpoint.AbsoluteUri.EndsWith('/') ? o.Endpoint : new Uri(o.Endpoint.AbsoluteUri + "/");
            })
            .Validate(o => o.Endpoint.IsAbsoluteUri, "Inference:Hub:Endpoint must be an absolute URL.")
            .Validate(o => o.MaxRetries >= 0, "Inference:Hub:MaxRetries must not be negative.")
            .ValidateOnStart();
#pragma warning disable EXTEXP0001 // downloads resume by themselves; the standard handler's timeouts would cut large files
        builder.Services.AddHttpClient(HubClient.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllResilienceHandlers();
        // A webhook is retried by JobWebhooks, with its own timeout and backoff.
        builder.Services.AddHttpClient(JobWebhooks.HttpClientName).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<HubClient>();
        builder.Services.AddSingleton<ModelDownloads>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelDownloads>());
        builder.Services.AddHostedService<AuditLogWriter>();
        builder.Services.AddHostedService<OperationalEventWriter>();
        builder.Services.AddHealthChecks()
            .AddCheck<MetadataHealthCheck>("metadata", HealthStatus.Degraded)
            .AddCheck<Inference.Metadata.Lifecycle.RegisteredVersionsHealthCheck>("registered-versions", tags: [Microsoft.Extensions.Hosting.Extensions.ReadyTag]);
        builder.AddInferenceAuth();
        return builder;
    }

    /// <summary>The registry's read API: <c>GET /api/models</c>, <c>/api/models/{id}</c>, <c>/api/models/{id}/versions</c>.</summary>
    public static WebApplication MapInferenceMetadata(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<QuotaMiddleware>();
        app.MapModelRegistryApi();
        app.MapGrammarApi();
        app.MapLifecycleApi();
        app.MapJobsApi();
        app.MapOpenAIBatchApi();
        app.MapApiKeysApi();
        app.MapUsageApi();
        app.MapModelMetricsApi();
        app.MapServiceMetricsApi();
        app.MapDownloadsApi();
        return app;
    }

    /// <summary>A malformed connection string is reported by options validation at start, as one line.</summary>
    private static string? ValidatePostgres(string? connectionString)
    {
        try
        {
            _ = string.IsNullOrEmpty(connectionString) ? null : new NpgsqlConnectionStringBuilder(connectionString);
            return null;
        }
        catch (ArgumentException ex)
        {
            return $"ConnectionStrings:{MetadataOptions.ConnectionName} is not a valid PostgreSQL connection string ({ex.Message}).";
        }
    }
}
