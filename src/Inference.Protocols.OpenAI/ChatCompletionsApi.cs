using System.Text.Json;
using Inference.Http;
using Inference.Protocols.OpenAI.Contracts;
using Inference.Serving;
using Inference.Serving.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.OpenAI;

/// <summary><c>POST /v1/chat/completions</c>, streaming and not; its non-streaming answer is also what a batch's line gets.</summary>
internal static class ChatCompletionsApi
{
    private const string Endpoint = "/v1/chat/completions";
    private static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant", "tool"];

    public static async Task<IResult> CreateAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, bodyError) = await JsonBody.ReadAsync(http.Request, OpenAIJsonContext.Default.ChatCompletionRequest, services.Options.Value.MaxRequestBodyBytes, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        var (prepared, error) = await PrepareAsync(request!, services, cancellationToken);
        if (error is not null)
        {
            return ApiErrors.OpenAI(error);
        }

        var (model, messages, options) = prepared!.Value;
        if (request!.Stream == true)
        {
            var includeUsage = request.StreamOptions?.IncludeUsage == true;
            var chunks = new ChatChunkWriter(model.Id, services.Now);
            return await OpenAISse.StreamAsync(
                model.ChatClient.GetStreamingResponseAsync(messages, options, cancellationToken),
                "messages",
                chunks.Render,
                usage => includeUsage ? chunks.Usage(usage) : null,
                cancellationToken);
        }

        var (completion, failure) = await CompleteAsync(model, messages, options, services.Now, cancellationToken);
        return failure is not null ? ApiErrors.OpenAI(failure) : TypedResults.Json(completion, OpenAIJsonContext.Default.ChatCompletion);
    }

    /// <summary>A chat completion request answered without streaming (a batch's line): the completion, or the error.</summary>
    public static async Task<(ChatCompletion? Completion, InferenceError? Error)> RunAsync(ChatCompletionRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        if (request.Stream == true)
        {
            return (null, InferenceError.Invalid("stream is not supported here: a batch's answers are not streamed.", "stream"));
        }

        var (prepared, error) = await PrepareAsync(request, services, cancellationToken);
        if (error is not null)
        {
            return (null, error);
        }

        var (model, messages, options) = prepared!.Value;
        return await CompleteAsync(model, messages, options, services.Now, cancellationToken);
    }

    /// <summary>
    /// A streamed chat completion's server-sent events' data, as the route sends them (the chunks, the usage chunk when
    /// asked, then <c>[DONE]</c>; a failure midway as an error object), or the error the request caused before the
    /// first: for transports that carry the route's stream another way (NATS).
    /// </summary>
    internal static async Task<(IAsyncEnumerable<string>? Data, InferenceError? Error)> StreamDataAsync(ChatCompletionRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        var (prepared, error) = await PrepareAsync(request, services, cancellationToken);
        if (error is not null)
        {
            return (null, error);
        }

        var (model, messages, options) = prepared!.Value;
        var includeUsage = request.StreamOptions?.IncludeUsage == true;
        var chunks = new ChatChunkWriter(model.Id, services.Now);
        var (updates, any, failure) = await FirstUpdate.AwaitAsync(model.ChatClient.GetStreamingResponseAsync(messages, options, cancellationToken), "messages", cancellationToken);
        return failure is not null
            ? (null, failure)
            : (OpenAISse.Events(updates!, any, "messages", chunks.Render, usage => includeUsage ? chunks.Usage(usage) : null, cancellationToken), null);
    }

    /// <summary>The request's model, conversation and options, checked; or why it cannot be answered.</summary>
    internal static async Task<((RoutedModel Model, List<ChatMessage> Messages, ChatOptions Options)? Prepared, InferenceError? Error)> PrepareAsync(
        ChatCompletionRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        var lookup = services.Inference.Find(request.Model, ModelKind.Chat, request.User, request.UseFallbacks);
        if (OpenAIErrors.Of(lookup, Endpoint) is { } modelError)
        {
            return (null, modelError);
        }

        if (request.Messages?.Count > services.Options.Value.MaxMessages)
        {
            return (null, InferenceError.Invalid($"messages holds {request.Messages.Count} messages; at most {services.Options.Value.MaxMessages} are allowed.", "messages"));
        }

        if (ReadMessages(request.Messages, out var messages) is { } messagesError)
        {
            return (null, messagesError);
        }

        var model = lookup.Model!;
        var (options, optionsError) = await SamplingFields.ReadAsync(
            request, model.Model, services.Grammars, cancellationToken, new OutputFields(request.ResponseFormat, request.Tools, request.ToolChoice, request.ParallelToolCalls));
        optionsError ??= ReasoningFields.Read(options, request.ReasoningEffort, request.ChatTemplateKwargs, request.AddGenerationPrompt, request.ReasoningBudget);
        return optionsError is not null ? (null, optionsError) : ((model, messages, options), null);
    }

    private static async Task<(ChatCompletion? Completion, InferenceError? Error)> CompleteAsync(
        RoutedModel model, List<ChatMessage> messages, ChatOptions options, long created, CancellationToken cancellationToken)
    {
        try
        {
            var response = await model.ChatClient.GetResponseAsync(messages, options, cancellationToken);
            return (new ChatCompletion(
                IdOf(response.ResponseId),
                created,
                response.ModelId ?? model.Id,
                [new ChatChoice(0, Message(response), OpenAISse.FinishReason(response.FinishReason))],
                OpenAISse.ToUsage(response.Usage)), null);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, "messages") is { } error)
        {
            return (null, error);
        }
    }

    private static ChatMessageResponse Message(ChatResponse response)
    {
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()
            .Select(c => new ToolCall(c.CallId, new FunctionCall(c.Name, ToolArguments.Json(c))))
            .ToList();
        var reasoning = string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
        var reasoningContent = reasoning.Length > 0 ? reasoning : null;
        return calls.Count == 0
            ? new ChatMessageResponse("assistant", response.Text, ReasoningContent: reasoningContent)
            : new ChatMessageResponse("assistant", response.Text.Length > 0 ? response.Text : null, calls, reasoningContent);
    }

    private static string IdOf(string? responseId) => responseId ?? "chatcmpl-" + Guid.NewGuid().ToString("N");

    private static InferenceError? ReadMessages(List<ChatMessageRequest?>? requested, out List<ChatMessage> messages)
    {
        messages = [];
        if (requested is null || requested.Count == 0)
        {
            return InferenceError.Invalid("messages must be a non-empty array.", "messages");
        }

        for (var i = 0; i < requested.Count; i++)
        {
            var message = requested[i];
            var param = $"messages[{i}]";
            if (message?.Role is not { } role)
            {
                return InferenceError.Invalid($"{param} has no role.", $"{param}.role");
            }

            if (!Roles.Contains(role))
            {
                return InferenceError.Invalid(
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
                    return InferenceError.Invalid($"{param} is a tool message without tool_call_id.", $"{param}.tool_call_id");
                }

                messages.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(message.ToolCallId, text)]));
                continue;
            }

            var chatMessage = new ChatMessage(new ChatRole(role == "developer" ? "system" : role), text);
            if (role == "assistant" && !string.IsNullOrEmpty(message.ReasoningContent))
            {
                chatMessage.Contents.Insert(0, new TextReasoningContent(message.ReasoningContent));
            }

            if (message.ToolCalls is { Count: > 0 } calls)
            {
                if (role != "assistant")
                {
                    return InferenceError.Invalid($"{param} has tool_calls, which only assistant messages may.", $"{param}.tool_calls");
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

    private static InferenceError? ReadToolCalls(List<ToolCallRequest?> calls, string param, ChatMessage into)
    {
        for (var j = 0; j < calls.Count; j++)
        {
            var call = calls[j];
            var callParam = $"{param}[{j}]";
            if (call?.Function is not { Name: { Length: > 0 } name } function || string.IsNullOrEmpty(call.Id))
            {
                return InferenceError.Invalid($"{callParam} needs an id and a function with a name.", callParam);
            }

            Dictionary<string, object?> arguments;
            try
            {
                using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(function.Arguments) ? "{}" : function.Arguments);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    return InferenceError.Invalid($"{callParam}.function.arguments must be a JSON object.", $"{callParam}.function.arguments");
                }

                arguments = Inference.Engines.Structured.ToolCallSyntax.Arguments(document.RootElement);
            }
            catch (JsonException)
            {
                return InferenceError.Invalid($"{callParam}.function.arguments is not valid JSON.", $"{callParam}.function.arguments");
            }

            into.Contents.Add(new FunctionCallContent(call.Id, name, arguments));
        }

        return null;
    }

    private static InferenceError? ReadContent(JsonElement? content, string param, out string text)
    {
        try
        {
            return ReadText(content, param, out text);
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate (\ud800) is valid JSON but no text.
            text = "";
            return InferenceError.Invalid($"{param} is not valid text (it holds an unpaired surrogate).", param);
        }
    }

    private static InferenceError? ReadText(JsonElement? content, string param, out string text)
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
                        return InferenceError.Invalid($"{param} may only hold text parts ({{\"type\":\"text\",\"text\":\"...\"}}).", param);
                    }

                    builder.Append(partText.GetString());
                }

                text = builder.ToString();
                return null;
            default:
                return InferenceError.Invalid($"{param} must be a string or an array of text parts.", param);
        }
    }
}
