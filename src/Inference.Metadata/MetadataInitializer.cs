using System.Text.Json;
using Inference.Engines;
using Inference.Metadata.Data;
using Inference.Metadata.Registry;
using Inference.Serving.Catalog;
using Inference.Serving.Remote;
using Inference.Serving;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Inference.Metadata;

/// <summary>
/// Applies the migrations at start, serves the models the database routes to providers, then records the served models
/// in the registry. Runs beside the server rather
/// than before it: inference does not need the database, and a database that is not up yet is retried until it is.
/// </summary>
internal sealed partial class MetadataInitializer(
    IDbContextFactory<MetadataDbContext> contexts,
    ModelCatalog catalog,
    ModelRegistry registry,
    RemoteModelFactory factory,
    MetadataState state,
    TimeProvider time,
    ILogger<MetadataInitializer> logger) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RetryAsync("apply migrations", async ct =>
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            if (db.Database.IsSqlite() && db.Database.GetDbConnection().DataSource is { Length: > 0 } file)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            }

            await db.Database.MigrateAsync(ct);
            if (db.Database.IsSqlite())
            {
                // Write-ahead logging: the audit writer's commits do not block readers of the registry, and cost less.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            }
        }, stoppingToken);
        state.MarkMigrated();
        Log.Migrated(logger);

        await catalog.WhenReady(stoppingToken);
        await RetryAsync("read the models routed in the database", AddDatabaseRoutesAsync, stoppingToken);
        await RetryAsync("record the served models", ct => registry.SynchronizeAsync(catalog.Models, ct), stoppingToken);
        state.MarkRegistered();
        Log.Registered(logger, catalog.Models.Count);
    }

    /// <summary>
    /// Serves the models the database routes to a provider (rows with a connection), as <c>Inference:Remote</c> would;
    /// a model the configuration already serves keeps its configured provider.
    /// </summary>
    private async Task AddDatabaseRoutesAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var routes = await db.Models.AsNoTracking()
            .Where(m => m.ConnectionName != null || m.ConnectionString != null)
            .ToListAsync(cancellationToken);
        foreach (var route in routes.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            if (catalog.Find(route.Id) is { } configured)
            {
                Log.RouteShadowed(logger, route.Id, configured.Provider);
                continue;
            }

            var definition = new RemoteModelDefinition
            {
                Provider = route.Provider,
                ConnectionName = route.ConnectionName,
                ConnectionString = route.ConnectionString,
                Kind = ModelKindNames.Parse(route.Kind) ?? ModelKind.Chat,
                Fallbacks = JsonSerializer.Deserialize(route.Fallbacks, MetadataJsonContext.Default.ListString) ?? [],
            };
            try
            {
                catalog.Add(factory.Create(route.Id, definition, $"the models row '{route.Id}'"));
                Log.Routed(logger, route.Id, route.Provider);
            }
            catch (InferenceConfigurationException ex)
            {
                // A bad row must not stop a running gateway: it is logged and left unserved.
                Log.BadRoute(logger, ex.Message);
            }
        }
    }

    private async Task RetryAsync(string what, Func<CancellationToken, Task> action, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                await action(stoppingToken);
                state.LastError = null;
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                state.LastError = ex.Message;
                Log.Failed(logger, ex, what, delay.TotalSeconds);
                await Task.Delay(delay, time, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "The metadata database is up to date.")]
        public static partial void Migrated(ILogger logger);

        [LoggerMessage(Level = LogLevel.Information, Message = "Recorded {Count} served models in the registry.")]
        public static partial void Registered(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Information, Message = "Serving model {Model} through {Provider}, as the database routes it.")]
        public static partial void Routed(ILogger logger, string model, string provider);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The database routes model {Model}, but the configuration already serves it (provider {Provider}); the configuration wins.")]
        public static partial void RouteShadowed(ILogger logger, string model, string provider);

        [LoggerMessage(Level = LogLevel.Error, Message = "A model route in the database is not served: {Reason}")]
        public static partial void BadRoute(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not {What} in the metadata database; retrying in {Seconds:0.##} s.")]
        public static partial void Failed(ILogger logger, Exception exception, string what, double seconds);
    }
}
