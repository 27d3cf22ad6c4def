using Inference.Storage.Auditing;
using Inference.Storage.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Inference.Storage;

/// <summary>
/// The metadata database: Degraded, not Unhealthy, when it cannot be reached or written, since inference goes on and
/// the audit log waits; reports the audit rows pending either way.
/// </summary>
internal sealed class MetadataHealthCheck(IDbContextFactory<MetadataDbContext> contexts, MetadataState state, AuditLog log) : IHealthCheck
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["auditPending"] = log.Pending };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        data["database"] = db.Database.ProviderName ?? "";
        bool reachable;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            reachable = await db.Database.CanConnectAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Unreachable, or too slow to answer: a health probe must not hang for the driver's connect timeout.
            reachable = false;
        }

        return !reachable ? HealthCheckResult.Degraded("The metadata database cannot be reached; audit records are buffered.", data: data)
            : !state.IsMigrated ? HealthCheckResult.Degraded("The metadata database is being migrated.", data: data)
            : state.LastError is { } error ? HealthCheckResult.Degraded($"The last metadata write failed: {error}", data: data)
            : HealthCheckResult.Healthy("The metadata database is up to date.", data);
    }
}
