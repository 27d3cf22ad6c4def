using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace InferenceAspire.AppHost;

/// <summary>Healthy once the local PostgreSQL accepts a connection and answers a query.</summary>
internal sealed class LocalPostgresHealthCheck(EndpointReference endpoint) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = new NpgsqlConnection($"Host={endpoint.Host};Port={endpoint.Port};Username={PlatformServers.PostgresUser};Database=postgres;Timeout=5");
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is not accepting connections yet.", ex);
        }
    }
}
