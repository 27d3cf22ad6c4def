using System.CommandLine;
using Spectre.Console;

namespace Inference.Cli.Commands;

internal static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "One table of every service and model: status, queue, backpressure, throughput, latency, alerts.");
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = GlobalOptions.Client(result);
            AnsiConsole.Write(await StatusView.LoadAsync(client, cancellationToken));
            return 0;
        });
        return command;
    }
}
