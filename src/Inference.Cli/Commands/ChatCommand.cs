using System.CommandLine;
using System.Text.Json.Nodes;

namespace Inference.Cli.Commands;

/// <summary>
/// An interactive, streamed, multi-turn chat: each line read is a user turn, the answer streams as it is generated,
/// and the conversation is kept. <c>--message</c> asks one question and exits; EOF or <c>/exit</c> ends a session.
/// </summary>
internal static class ChatCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "The chat model.", Required = true };
        var system = new Option<string?>("--system") { Description = "A system message to start with." };
        var message = new Option<string?>("--message") { Description = "Ask this one question, print the answer, exit." };
        var temperature = new Option<float?>("--temperature") { Description = "Sampling temperature (0: greedy)." };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "At most this many tokens per answer." };
        var command = new Command("chat", "Chat with a model, streamed, over several turns (over HTTP, or one turn per line on NATS with --nats).") { model, system, message, temperature, maxTokens };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (GlobalOptions.NatsClient(result) is { } nats)
            {
                await using (nats)
                {
                    return await OverNatsAsync(result, nats, result.GetValue(GlobalOptions.Subject) ?? $"inference.request.{result.GetValue(model)}", result.GetValue(message), result.GetValue(temperature), result.GetValue(maxTokens), cancellationToken);
                }
            }

            using var client = GlobalOptions.Client(result);
            var history = new JsonArray();
            if (result.GetValue(system) is { Length: > 0 } text)
            {
                history.Add(new JsonObject { ["role"] = "system", ["content"] = text });
            }

            var interactive = result.GetValue(message) is null;
            if (interactive && !Console.IsInputRedirected)
            {
                Console.Error.WriteLine($"Chatting with {result.GetValue(model)} at {client.BaseAddress} (/exit or Ctrl+D to end).");
            }

            while (!cancellationToken.IsCancellationRequested)
            {
                if ((interactive ? await NextLineAsync(cancellationToken) : result.GetValue(message)) is not { } line)
                {
                    break;
                }

                history.Add(new JsonObject { ["role"] = "user", ["content"] = line });
                var body = new JsonObject { ["model"] = result.GetValue(model), ["messages"] = history.DeepClone() };
                if (result.GetValue(temperature) is { } t)
                {
                    body["temperature"] = t;
                }

                if (result.GetValue(maxTokens) is { } max)
                {
                    body["max_tokens"] = max;
                }

                var answer = new System.Text.StringBuilder();
                await foreach (var delta in client.StreamChatAsync(body, cancellationToken))
                {
                    answer.Append(delta);
                    Console.Out.Write(delta);
                    await Console.Out.FlushAsync(cancellationToken);
                }

                Console.Out.WriteLine();
                history.Add(new JsonObject { ["role"] = "assistant", ["content"] = answer.ToString() });
                if (!interactive)
                {
                    break;
                }
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// Each line (or the one message) as the input body on a model's NATS subject, its answer streamed as it comes;
    /// the input body is one turn, so each line is a conversation of its own, as seed 004's nats-chat has it.
    /// </summary>
    private static async Task<int> OverNatsAsync(ParseResult result, NatsInferenceClient nats, string subject, string? message, float? temperature, int? maxTokens, CancellationToken cancellationToken)
    {
        var interactive = message is null;
        if (interactive && !Console.IsInputRedirected)
        {
            Console.Error.WriteLine($"Chatting on {subject} at {result.GetValue(GlobalOptions.Nats)} (/exit or Ctrl+D to end).");
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            if ((interactive ? await NextLineAsync(cancellationToken) : message) is not { } line)
            {
                break;
            }

            var parameters = new JsonObject();
            if (temperature is { } t)
            {
                parameters["temperature"] = t;
            }

            if (maxTokens is { } max)
            {
                parameters["max_tokens"] = max;
            }

            var body = new JsonObject { ["req_id"] = "cli-" + Guid.NewGuid().ToString("N")[..12], ["input"] = line, ["params"] = parameters };
            await foreach (var piece in nats.StreamAsync(subject, body, cancellationToken))
            {
                Console.Out.Write(piece);
                await Console.Out.FlushAsync(cancellationToken);
            }

            Console.Out.WriteLine();
            if (!interactive)
            {
                break;
            }
        }

        return 0;
    }

    /// <summary>The next non-blank line typed (a prompt shown on a terminal); null at the end of input or /exit.</summary>
    private static async Task<string?> NextLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!Console.IsInputRedirected)
            {
                Console.Error.Write("> ");
            }

            var line = await Console.In.ReadLineAsync(cancellationToken);
            if (line is null || line.Trim() == "/exit")
            {
                return null;
            }

            if (line.Trim().Length > 0)
            {
                return line;
            }
        }
    }
}
