using System.Text.Json;
using Inference.Serving.Catalog;
using Inference.Serving.OpenAI.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Inference.Serving.OpenAI;

/// <summary><c>POST /v1/chat/completions</c>, streaming and not.</summary>
internal static class ChatCompletionsApi
{
    private static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant"];

    public static async Task<IResult> CreateAsync(HttpContext http, [Microsoft.AspNetCore.Http.AsParameters] OpenAIServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, bodyError) = await OpenAIRequestBody.ReadAsync(http.Request, OpenAIJsonContext.Default.ChatCompletionRequest, services.Options.Value.MaxRequestBodyBytes, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (ModelResolver.Resolve(services.Catalog, request!.Model, ModelKind.Chat, "/v1/chat/completions", out var model) is { } modelError)
        {
            return modelError;
        }

        if ((ReadMessages(request.Messages, out var messages) ?? Unsupported(request)) is { } messagesError)
        {
            return messagesError;
        }

        if (SamplingRequestMapper.Validate(request, model, out var options) is { } samplingError)
        {
            return OpenAIErrors.BadRequest(samplingError);
        }

        var client = model.ChatClient!;
        var created = services.Now;
        if (request.Stream == true)
        {
            var includeUsage = request.StreamOptions?.IncludeUsage == true;
            var first = true;
            string? id = null;
            return await OpenAISse.StreamAsync(
                client.GetStreamingResponseAsync(messages, options, cancellationToken),
                "messages",
                update => RenderChunk(update, id ??= IdOf(update.ResponseId), model.Id, created, ref first),
                usage => includeUsage ? Serialize(new ChatCompletionChunk(id ?? IdOf(null), created, model.Id, [], OpenAISse.ToUsage(usage))) : null,
                cancellationToken);
        }

        try
        {
            var response = await client.GetResponseAsync(messages, options, cancellationToken);
            var completion = new ChatCompletion(
                IdOf(response.ResponseId),
                created,
                model.Id,
                [new ChatChoice(0, new ChatMessageResponse("assistant", response.Text), OpenAISse.FinishReason(response.FinishReason))],
                OpenAISse.ToUsage(response.Usage));
            return TypedResults.Json(completion, OpenAIJsonContext.Default.ChatCompletion);
        }
        catch (Exception ex) when (OpenAIErrors.TryMap(ex, "messages") is { } mapped)
        {
            return mapped;
        }
    }

    private static IEnumerable<string> RenderChunk(ChatResponseUpdate update, string id, string model, long created, ref bool first)
    {
        var chunks = new List<string>(2);
        if (first)
        {
            first = false;
            chunks.Add(Serialize(new ChatCompletionChunk(id, created, model, [new ChatChunkChoice(0, new ChatDelta("assistant", ""), null)])));
        }

        if (update.Text.Length > 0)
        {
            chunks.Add(Serialize(new ChatCompletionChunk(id, created, model, [new ChatChunkChoice(0, new ChatDelta(Content: update.Text), null)])));
        }

        if (update.FinishReason is { } reason)
        {
            chunks.Add(Serialize(new ChatCompletionChunk(id, created, model, [new ChatChunkChoice(0, new ChatDelta(), OpenAISse.FinishReason(reason))])));
        }

        return chunks;
    }

    private static string IdOf(string? responseId) => responseId ?? "chatcmpl-" + Guid.NewGuid().ToString("N");

    private static string Serialize(ChatCompletionChunk chunk) => JsonSerializer.Serialize(chunk, OpenAIJsonContext.Default.ChatCompletionChunk);

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

            if (ReadContent(message.Content, $"{param}.content", out var text) is { } contentError)
            {
                return contentError;
            }

            messages.Add(new ChatMessage(new ChatRole(role == "developer" ? "system" : role), text));
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

    private static IResult? Unsupported(ChatCompletionRequest request)
    {
        if (request.Tools is { ValueKind: JsonValueKind.Array } tools && tools.GetArrayLength() > 0)
        {
            return OpenAIErrors.BadRequest("Tools are not supported by local models.", "tools");
        }

        if (request.ResponseFormat is { ValueKind: JsonValueKind.Object } format
            && format.TryGetProperty("type", out var type) && type.GetString() != "text")
        {
            return OpenAIErrors.BadRequest($"response_format '{type}' is not supported; only 'text' is.", "response_format");
        }

        return null;
    }
}
