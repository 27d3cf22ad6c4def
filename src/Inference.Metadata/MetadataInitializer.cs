using Inference.Metadata.Data;
using Inference.Metadata.Registry;
using Inference.Serving.Catalog;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Inference.Metadata;

/// <summary>
/// Applies the migrations at start, then records the served models in the registry. Runs beside the server rather
/// than before it: inference does not need the database, and a database that is not up yet is retried until it is.
/// </summary>
internal sealed partial class MetadataInitializer(
    IDbContextFactory<MetadataDbContext> contexts,
    ModelCatalog catalog,
    ModelRegistry registry,
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
        await RetryAsync("record the served models", ct => registry.SynchronizeAsync(catalog.Models, ct), stoppingToken);
        state.MarkRegistered();
        Log.Registered(logger, catalog.Models.Count);
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

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not {What} in the metadata database; retrying in {Seconds:0.##} s.")]
        public static partial void Failed(ILogger logger, Exception exception, string what, double seconds);
    }
}
