using System.Text.Json;
using Inference.Serving.Catalog;
using Inference.Serving.OpenAI.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Inference.Serving.OpenAI;

/// <summary><c>POST /v1/chat/completions</c>, streaming and not.</summary>
internal static class ChatCompletionsApi
{
    private static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant", "tool"];

    public static async Task<IResult> CreateAsync(HttpContext http, [Microsoft.AspNetCore.Http.AsParameters] OpenAIServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, bodyError) = await OpenAIRequestBody.ReadAsync(http.Request, OpenAIJsonContext.Default.ChatCompletionRequest, services.Options.Value.MaxRequestBodyBytes, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (ModelResolver.Resolve(services, http, request!.Model, ModelKind.Chat, "/v1/chat/completions", out var model, request.User, request.UseFallbacks) is { } modelError)
        {
            return modelError;
        }

        if (request.Messages?.Count > services.Options.Value.MaxMessages)
        {
            return OpenAIErrors.BadRequest($"messages holds {request.Messages.Count} messages; at most {services.Options.Value.MaxMessages} are allowed.", "messages");
        }

        if (ReadMessages(request.Messages, out var messages) is { } messagesError)
        {
            return messagesError;
        }

        if ((SamplingRequestMapper.Validate(request, model, out var options)
            ?? await StructuredRequestMapper.ApplyAsync(request, request, model, options, services.Grammars, cancellationToken)) is { } optionsError)
        {
            return OpenAIErrors.BadRequest(optionsError);
        }

        var client = model.ChatClient!;
        var created = services.Now;
        if (request.Stream == true)
        {
            var includeUsage = request.StreamOptions?.IncludeUsage == true;
            var chunks = new ChatChunkWriter(model.Id, created);
            return await OpenAISse.StreamAsync(
                client.GetStreamingResponseAsync(messages, options, cancellationToken),
                "messages",
                chunks.Render,
                usage => includeUsage ? chunks.Usage(usage) : null,
                cancellationToken);
        }

        try
        {
            var response = await client.GetResponseAsync(messages, options, cancellationToken);
            var completion = new ChatCompletion(
                IdOf(response.ResponseId),
                created,
                response.ModelId ?? model.Id,
                [new ChatChoice(0, Message(response), OpenAISse.FinishReason(response.FinishReason))],
                OpenAISse.ToUsage(response.Usage));
            return TypedResults.Json(completion, OpenAIJsonContext.Default.ChatCompletion);
        }
        catch (Exception ex) when (OpenAIErrors.TryMap(ex, "messages") is { } mapped)
        {
            return mapped;
        }
    }

    private static ChatMessageResponse Message(ChatResponse response)
    {
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()
            .Select(c => new ToolCall(c.CallId, new FunctionCall(c.Name, ToolArguments.Json(c))))
            .ToList();
        return calls.Count == 0
            ? new ChatMessageResponse("assistant", response.Text)
            : new ChatMessageResponse("assistant", response.Text.Length > 0 ? response.Text : null, calls);
    }

    private static string IdOf(string? responseId) => responseId ?? "chatcmpl-" + Guid.NewGuid().ToString("N");

    private static IResult? ReadMessages(List<ChatMessageRequest?>? requested, out List<ChatMessage> messages)
    {
        messages = [];
        if (requested is null || requested.Count == 0)
        {
            return OpenAIErrors.BadRequest("messages must be a non-empty array.", "messages");
        }

        for (var i = 0; i < requested.Count; i++)
        {
            var message = requested[i];
            var param = $"messages[{i}]";
            if (message?.Role is not { } role)
            {
                return OpenAIErrors.BadRequest($"{param} has no role.", $"{param}.role");
            }

            if (!Roles.Contains(role))
            {
                return OpenAIErrors.BadRequest(
                    $"{param}.role '{role}' is not supported; use one of: {string.Join(", ", Roles)}.", $"{param}.role", "invalid_value");
            }

            var text = "";
            if ((message.Content is null or { ValueKind: JsonValueKind.Null }) && role == "assistant" && message.ToolCalls is { Count: > 0 })
            {
                // An assistant message of tool calls alone has no content.
            }
            else if (ReadContent(message.Content, $"{param}.content", out text) is { } contentError)
            {
                return contentError;
            }

            if (role == "tool")
            {
                if (string.IsNullOrEmpty(message.ToolCallId))
                {
                    return OpenAIErrors.BadRequest($"{param} is a tool message without tool_call_id.", $"{param}.tool_call_id");
                }

                messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(message.ToolCallId, text)]));
                continue;
            }

            var chatMessage = new ChatMessage(new ChatRole(role == "developer" ? "system" : role), text);
            if (message.ToolCalls is { Count: > 0 } calls)
            {
                if (role != "assistant")
                {
                    return OpenAIErrors.BadRequest($"{param} has tool_calls, which only assistant messages may.", $"{param}.tool_calls");
                }

                if (ReadToolCalls(calls, $"{param}.tool_calls", chatMessage) is { } callError)
                {
                    return callError;
                }
            }

            messages.Add(chatMessage);
        }

        return null;
    }

    private static IResult? ReadToolCalls(List<ToolCallRequest?> calls, string param, ChatMessage into)
    {
        for (var j = 0; j < calls.Count; j++)
        {
            var call = calls[j];
            var callParam = $"{param}[{j}]";
            if (call?.Function is not { Name: { Length: > 0 } name } function || string.IsNullOrEmpty(call.Id))
            {
                return OpenAIErrors.BadRequest($"{callParam} needs an id and a function with a name.", callParam);
            }

            Dictionary<string, object?> arguments;
            try
            {
                using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(function.Arguments) ? "{}" : function.Arguments);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return OpenAIErrors.BadRequest($"{callParam}.function.arguments must be a JSON object.", $"{callParam}.function.arguments");
                }

                arguments = Inference.Engines.Structured.ToolCallParser.Arguments(document.RootElement);
            }
            catch (JsonException)
            {
                return OpenAIErrors.BadRequest($"{callParam}.function.arguments is not valid JSON.", $"{callParam}.function.arguments");
            }

            into.Contents.Add(new FunctionCallContent(call.Id, name, arguments));
        }

        return null;
    }

    private static IResult? ReadContent(JsonElement? content, string param, out string text)
    {
        text = "";
        switch (content)
        {
            case { ValueKind: JsonValueKind.String } s:
                text = s.GetString()!;
                return null;
            case { ValueKind: JsonValueKind.Array } parts:
                var builder = new System.Text.StringBuilder();
                foreach (var part in parts.EnumerateArray())
                {
                    if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.GetString() != "text"
                        || !part.TryGetProperty("text", out var partText) || partText.ValueKind != JsonValueKind.String)
                    {
                        return OpenAIErrors.BadRequest($"{param} may only hold text parts ({{\"type\":\"text\",\"text\":\"...\"}}).", param);
                    }

                    builder.Append(partText.GetString());
                }

                text = builder.ToString();
                return null;
            default:
                return OpenAIErrors.BadRequest($"{param} must be a string or an array of text parts.", param);
        }
    }
}
