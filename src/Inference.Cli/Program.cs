using System.CommandLine;
using Inference.Cli;
using Inference.Cli.Commands;

// inference: the platform from a terminal, against any base URL (--base, INFERENCE_BASE_URL); chat and embed over NATS
// too (--nats, INFERENCE_NATS_URL).
var root = new RootCommand("InferenceAspire from the command line: models, chat, embed, status, monitor.")
{
    GlobalOptions.Base,
    GlobalOptions.ApiKey,
    GlobalOptions.Nats,
    GlobalOptions.Subject,
    ModelsCommand.Create(),
    ChatCommand.Create(),
    EmbedCommand.Create(),
    StatusCommand.Create(),
    MonitorCommand.Create(),
};

// Piped into a file or another program there is no terminal to fit: tables get COLUMNS, else a wide line, not 80.
if (Console.IsOutputRedirected)
{
    Spectre.Console.AnsiConsole.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 20 ? columns : 200;
}

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (CliException ex)
{
    await Console.Error.WriteLineAsync($"inference: {ex.Message}");
    return 1;
}
catch (HttpRequestException ex)
{
    await Console.Error.WriteLineAsync($"inference: cannot reach {root.Parse(args).GetValue(GlobalOptions.Base)}: {ex.Message}");
    return 1;
}
catch (NATS.Client.Core.NatsException ex)
{
    await Console.Error.WriteLineAsync($"inference: NATS at {root.Parse(args).GetValue(GlobalOptions.Nats)}: {ex.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    return 130;
}
