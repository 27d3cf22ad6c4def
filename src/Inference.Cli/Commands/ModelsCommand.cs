using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Inference.Cli.Commands;

internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "The models the platform serves, with their capabilities.");
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = GlobalOptions.Client(result);
            var models = await client.GetAsync("v1/models", cancellationToken);
            var table = new Table().AddColumns("model", "tasks", "format", "architecture", "parameters", "quantization", "context", "queue");
            foreach (var model in models.GetProperty("data").EnumerateArray())
            {
                var capabilities = model.TryGetProperty("capabilities", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
                table.AddRow(
                    Markup.Escape(model.GetProperty("id").GetString() ?? ""),
                    Markup.Escape(Text.Of(capabilities, "tasks")),
                    Markup.Escape(Text.Of(capabilities, "format")),
                    Markup.Escape(Text.Of(capabilities, "architecture")),
                    Markup.Escape(Text.Of(capabilities, "parameter_count")),
                    Markup.Escape(Text.Of(capabilities, "quantization")),
                    Markup.Escape(Text.Of(capabilities, "context_length")),
                    Markup.Escape(Text.Of(model, "queue_depth")));
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
