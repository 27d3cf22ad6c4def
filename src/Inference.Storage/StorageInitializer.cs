using Inference.Storage.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Inference.Storage;

/// <summary>
/// Applies the migrations at start, beside the server rather than before it: inference does not need the database,
/// and a database that is not up yet is retried until it is.
/// </summary>
internal sealed partial class StorageInitializer(IDbContextFactory<MetadataDbContext> contexts, MetadataState state, TimeProvider time, ILogger<StorageInitializer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await state.RetryAsync("apply migrations", async ct =>
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
        }, time, logger, stoppingToken);
        state.MarkMigrated();
        Log.Migrated(logger);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "The metadata database is up to date.")]
        public static partial void Migrated(ILogger logger);
    }
}
