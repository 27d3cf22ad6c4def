using Inference.Storage.Data;
using Inference.Serving.Events;
using Microsoft.EntityFrameworkCore;

namespace Inference.Storage.Events;

/// <summary>
/// <c>/api/operational-events</c> from the metadata database: every service writing to it (every Api replica), newest
/// first; an event is there within the writer's flush interval. While the database is down the answer is this
/// service's memory (its <c>source</c> says which), and what happened meanwhile is written when it is back.
/// </summary>
internal sealed class DatabaseOperationalEventStore(IDbContextFactory<MetadataDbContext> contexts, OperationalEvents events) : IOperationalEventStore
{
    public const string SourceName = "database";

    public async Task<OperationalEventPage> QueryAsync(OperationalEventQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var rows = db.OperationalEvents.AsNoTracking()
                .Where(e => (query.Level == null || e.Level == query.Level)
                    && (query.Code == null || e.Code == query.Code)
                    && (query.Model == null || e.Model == query.Model)
                    && (query.Since == null || e.Timestamp >= query.Since));
            var total = await rows.CountAsync(cancellationToken);
            var page = await rows.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id).Skip(query.Offset).Take(query.Limit).ToListAsync(cancellationToken);
            return new OperationalEventPage([.. page.Select(OperationalEventLog.ToEvent)], total, query.Offset, query.Limit, SourceName);
        }
        catch (Exception ex) when (ControlPlaneProblems.IsUnavailable(ex))
        {
            return query.PageOf(events.Recent(), "memory");
        }
    }
}
