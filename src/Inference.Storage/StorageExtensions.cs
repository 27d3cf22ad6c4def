using Inference.Serving.Auditing;
using Inference.Serving.Events;
using Inference.Storage;
using Inference.Storage.Auditing;
using Inference.Storage.Data;
using Inference.Storage.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

public static class StorageExtensions
{
    /// <summary>
    /// The metadata database and the logs written to it: on PostgreSQL when <c>ConnectionStrings:metadata</c> is set (as
    /// an Aspire AppHost sets it), else in an embedded SQLite file. Migrations are applied at start; the audit log and
    /// the operational events are written in the background, kept through outages.
    /// </summary>
    public static IHostApplicationBuilder AddInferenceStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.Any(d => d.ServiceType == typeof(MetadataState)))
        {
            return builder; // added already, by a module that needs it
        }

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
        builder.Services.TryAddSingleton<MetadataState>();
        builder.Services.TryAddSingleton<AuditLog>();
        builder.Services.AddSingleton<IInferenceAuditLog>(sp => sp.GetRequiredService<AuditLog>());
        builder.Services.TryAddSingleton<MetadataTelemetry>();
        builder.Services.TryAddSingleton<OperationalEventLog>();
        builder.Services.AddSingleton<IOperationalEventSink>(sp => sp.GetRequiredService<OperationalEventLog>());
        builder.Services.AddSingleton<IOperationalEventStore, DatabaseOperationalEventStore>();
        builder.Services.AddHostedService<StorageInitializer>();
        builder.Services.AddHostedService<AuditLogWriter>();
        builder.Services.AddHostedService<OperationalEventWriter>();
        builder.Services.AddHealthChecks().AddCheck<MetadataHealthCheck>("metadata", HealthStatus.Degraded);
        return builder;
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
