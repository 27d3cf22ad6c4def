using Inference.Lifecycle.Experiments;
using Inference.Serving.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Lifecycle;

/// <summary>
/// Keeps each replica's routing in step with the registry: every <see cref="RoutingOptions.RefreshInterval"/> it reads
/// the versions, deployments and A/B tests again (serving versions registered on another replica), judges the running
/// canaries and completes A/B tests whose time is up. A database that is down leaves the last table in place.
/// </summary>
internal sealed partial class LifecycleRefresher(
    MetadataState state,
    ModelLifecycle lifecycle,
    DeploymentManager deployments,
    AbTestManager tests,
    IOptions<RoutingOptions> options,
    TimeProvider time,
    ILogger<LifecycleRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await state.WhenRegistered(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        do
        {
            try
            {
                if (await tests.ExpireAsync(stoppingToken))
                {
                    Log.TestsCompleted(logger);
                }

                await lifecycle.RefreshAsync(stoppingToken);
                state.MarkRouted();
                await deployments.EvaluateAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.Failed(logger, ex.Message);
                if (!state.IsRouted)
                {
                    // The registry cannot be read yet: readiness says the database is the reason.
                    state.LastError = ex.Message;
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "A/B tests whose duration ended are completed.")]
        public static partial void TestsCompleted(ILogger logger);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the routing table from the registry (the last one stays): {Reason}")]
        public static partial void Failed(ILogger logger, string reason);
    }
}
