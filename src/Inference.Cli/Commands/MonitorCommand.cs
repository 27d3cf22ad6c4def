using System.CommandLine;
using Spectre.Console;

namespace Inference.Cli.Commands;

/// <summary>A live, refreshing view of the status tables (an htop-style monitor), until Ctrl+C or <c>--iterations</c>.</summary>
internal static class MonitorCommand
{
    public static Command Create()
    {
        var interval = new Option<double>("--interval") { Description = "Seconds between refreshes.", DefaultValueFactory = _ => 2 };
        var iterations = new Option<int?>("--iterations") { Description = "Stop after this many refreshes (default: until Ctrl+C)." };
        var command = new Command("monitor", "Watch every service and model live.") { interval, iterations };
        interval.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is not (> 0 and < 3600))
            {
                r.AddError("--interval must be between 0 and 3600 seconds.");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = GlobalOptions.Client(result);
            var delay = TimeSpan.FromSeconds(result.GetValue(interval));
            var limit = result.GetValue(iterations);
            if (Console.IsOutputRedirected)
            {
                // Not a terminal: one table per refresh, one after the other.
                for (var i = 0; limit is null || i < limit; i++)
                {
                    AnsiConsole.Write(await StatusView.LoadAsync(client, cancellationToken));
                    AnsiConsole.WriteLine();
                    await Task.Delay(delay, cancellationToken);
                }

                return 0;
            }

            await AnsiConsole.Live(await StatusView.LoadAsync(client, cancellationToken)).AutoClear(false).StartAsync(async live =>
            {
                for (var i = 1; limit is null || i < limit; i++)
                {
                    await Task.Delay(delay, cancellationToken);
                    live.UpdateTarget(await StatusView.LoadAsync(client, cancellationToken));
                }
            });
            return 0;
        });
        return command;
    }
}
