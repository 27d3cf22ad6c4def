using System.Text.Json;
using Inference.Storage.Data;
using Inference.Lifecycle.Registry;
using Inference.Serving.Catalog;
using Inference.Serving.Remote;
using Inference.Serving;
using Inference.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Inference.Lifecycle;

/// <summary>
/// Once the database is migrated and the models configured here are loaded: serves the models the database routes to
/// providers, then records the served models in the registry (which every replica reads its routing table from).
/// </summary>
internal sealed partial class RegistryInitializer(
    IDbContextFactory<MetadataDbContext> contexts,
    ModelCatalog catalog,
    ModelRegistry registry,
    RemoteModelFactory factory,
    MetadataState state,
    TimeProvider time,
    ILogger<RegistryInitializer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await state.WhenMigrated(stoppingToken);
        await catalog.WhenReady(stoppingToken);
        await state.RetryAsync("read the models routed in the database", AddDatabaseRoutesAsync, time, logger, stoppingToken);
        await state.RetryAsync("record the served models", ct => registry.SynchronizeAsync(catalog.Models, ct), time, logger, stoppingToken);
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
                Fallbacks = JsonSerializer.Deserialize(route.Fallbacks, LifecycleJsonContext.Default.ListString) ?? [],
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

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Recorded {Count} served models in the registry.")]
        public static partial void Registered(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Information, Message = "Serving model {Model} through {Provider}, as the database routes it.")]
        public static partial void Routed(ILogger logger, string model, string provider);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The database routes model {Model}, but the configuration already serves it (provider {Provider}); the configuration wins.")]
        public static partial void RouteShadowed(ILogger logger, string model, string provider);

        [LoggerMessage(Level = LogLevel.Error, Message = "A model route in the database is not served: {Reason}")]
        public static partial void BadRoute(ILogger logger, string reason);
    }
}
