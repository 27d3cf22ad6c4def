using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Inference.Cli.Commands;

internal static class EmbedCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "The embedding model.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the whole answer as JSON (every vector in full)." };
        var texts = new Argument<string[]>("text") { Description = "The texts to embed.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("embed", "Embed texts (over HTTP, or NATS with --nats); prints each vector's size, norm and first values.") { model, json, texts };
        command.SetAction(async (result, cancellationToken) =>
        {
            var inputs = result.GetValue(texts)!;
            JsonElement answer;
            if (GlobalOptions.NatsClient(result) is { } nats)
            {
                // The same answer on the model's NATS subject: OpenAI's embeddings list.
                await using (nats)
                {
                    var subject = result.GetValue(GlobalOptions.Subject) ?? $"embedding.request.{result.GetValue(model)}";
                    answer = await nats.RequestAsync(subject, new { req_id = "cli-" + Guid.NewGuid().ToString("N")[..12], model = result.GetValue(model), input = inputs }, cancellationToken);
                }
            }
            else
            {
                using var client = GlobalOptions.Client(result);
                answer = await client.PostAsync("v1/embeddings", new { model = result.GetValue(model), input = inputs }, cancellationToken);
            }

            if (result.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(answer));
                return 0;
            }

            var table = new Table().AddColumns("text", "dimensions", "norm", "first values");
            foreach (var item in answer.GetProperty("data").EnumerateArray())
            {
                var vector = item.GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                table.AddRow(
                    Markup.Escape(inputs[item.GetProperty("index").GetInt32()]),
                    vector.Length.ToString(CultureInfo.InvariantCulture),
                    Math.Sqrt(vector.Sum(v => v * v)).ToString("0.0000", CultureInfo.InvariantCulture),
                    string.Join(" ", vector.Take(4).Select(v => v.ToString("0.0000", CultureInfo.InvariantCulture))) + " …");
            }

            AnsiConsole.Write(table);
            if (answer.TryGetProperty("usage", out var usage))
            {
                AnsiConsole.MarkupLine($"[grey]{Markup.Escape(Text.Of(usage, "prompt_tokens"))} tokens[/]");
            }

            return 0;
        });
        return command;
    }
}
