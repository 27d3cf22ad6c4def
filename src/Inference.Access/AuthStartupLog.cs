using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Inference.Access;

/// <summary>Says at start whether callers need keys, so an open service is never open by surprise.</summary>
internal sealed partial class AuthStartupLog(IOptions<AuthOptions> options, ILogger<AuthStartupLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            LogOn(logger, options.Value.AdminKey is { Length: > 0 } ? "set" : "not set");
        }
        else
        {
            LogOff(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Authentication is off (Inference:Auth:Enabled=false): every route is open to anyone who can reach this service.")]
    private static partial void LogOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Authentication is on: API keys required on every route but /health, /alive and /ready (bootstrap admin key {AdminKey}).")]
    private static partial void LogOn(ILogger logger, string adminKey);
}
