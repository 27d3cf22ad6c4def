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
        var command = new Command("chat", "Chat with a model, streamed, over several turns.") { model, system, message, temperature, maxTokens };
        command.SetAction(async (result, cancellationToken) =>
        {
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
                string? line;
                if (interactive)
                {
                    if (!Console.IsInputRedirected)
                    {
                        Console.Error.Write("> ");
                    }

                    line = await Console.In.ReadLineAsync(cancellationToken);
                    if (line is null || line.Trim() == "/exit")
                    {
                        break;
                    }

                    if (line.Trim().Length == 0)
                    {
                        continue;
                    }
                }
                else
                {
                    line = result.GetValue(message)!;
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
}
