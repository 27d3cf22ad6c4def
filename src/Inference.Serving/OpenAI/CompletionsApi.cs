using System.Text.Json;
using Inference.Serving.Catalog;
using Inference.Serving.OpenAI.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Inference.Serving.OpenAI;

/// <summary><c>POST /v1/completions</c>: the prompt is sent to the model as it is, without a chat template.</summary>
internal static class CompletionsApi
{
    public static async Task<IResult> CreateAsync(HttpContext http, [AsParameters] OpenAIServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, bodyError) = await OpenAIRequestBody.ReadAsync(http.Request, OpenAIJsonContext.Default.CompletionRequest, services.Options.Value.MaxRequestBodyBytes, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (ModelResolver.Resolve(services, http, request!.Model, ModelKind.Chat, "/v1/completions", out var model, request.User, request.UseFallbacks) is { } modelError)
        {
            return modelError;
        }

        if ((ReadPrompt(request.Prompt, out var prompt) ?? Unsupported(request)) is { } promptError)
        {
            return promptError;
        }

        if ((SamplingRequestMapper.Validate(request, model, out var options)
            ?? await StructuredRequestMapper.ApplyAsync(request, null, model, options, services.Grammars, cancellationToken)) is { } optionsError)
        {
            return OpenAIErrors.BadRequest(optionsError);
        }

        (options.AdditionalProperties ??= [])[EngineChatOptions.RawPrompt] = true;
        ChatMessage[] messages = [new(ChatRole.User, prompt)];
        var id = "cmpl-" + Guid.NewGuid().ToString("N");
        var created = services.Now;
        if (request.Stream == true)
        {
            var includeUsage = request.StreamOptions?.IncludeUsage == true;
            return await OpenAISse.StreamAsync(
                model.ChatClient!.GetStreamingResponseAsync(messages, options, cancellationToken),
                "prompt",
                update => update.Text.Length > 0 || update.FinishReason is not null
                    ? [Serialize(new TextCompletion(id, created, update.ModelId ?? model.Id, [new TextChoice(update.Text, 0, OpenAISse.FinishReason(update.FinishReason))]))]
                    : [],
                usage => includeUsage ? Serialize(new TextCompletion(id, created, Routing.RequestRouting.AnsweringId(model), [], OpenAISse.ToUsage(usage))) : null,
                cancellationToken);
        }

        try
        {
            var response = await model.ChatClient!.GetResponseAsync(messages, options, cancellationToken);
            var completion = new TextCompletion(id, created, response.ModelId ?? model.Id, [new TextChoice(response.Text, 0, OpenAISse.FinishReason(response.FinishReason))], OpenAISse.ToUsage(response.Usage));
            return TypedResults.Json(completion, OpenAIJsonContext.Default.TextCompletion);
        }
        catch (Exception ex) when (OpenAIErrors.TryMap(ex, "prompt") is { } mapped)
        {
            return mapped;
        }
    }

    private static string Serialize(TextCompletion chunk) => JsonSerializer.Serialize(chunk, OpenAIJsonContext.Default.TextCompletion);

    private static IResult? ReadPrompt(JsonElement? prompt, out string text)
    {
        text = "";
        switch (prompt)
        {
            case { ValueKind: JsonValueKind.String } s:
                text = s.GetString()!;
                break;
            case { ValueKind: JsonValueKind.Array } a when a.GetArrayLength() == 1 && a[0].ValueKind == JsonValueKind.String:
                text = a[0].GetString()!;
                break;
            case { ValueKind: JsonValueKind.Array }:
                return OpenAIErrors.BadRequest("prompt must be a string or an array of exactly one string (token arrays and batches are not supported).", "prompt");
            default:
                return OpenAIErrors.BadRequest("You must provide a prompt string.", "prompt");
        }

        return text.Length == 0 ? OpenAIErrors.BadRequest("prompt must not be empty.", "prompt") : null;
    }

    private static IResult? Unsupported(CompletionRequest request) =>
        request.Echo == true ? OpenAIErrors.BadRequest("echo is not supported.", "echo")
        : request.Suffix is { Length: > 0 } ? OpenAIErrors.BadRequest("suffix is not supported.", "suffix")
        : request.Logprobs is not null ? OpenAIErrors.BadRequest("logprobs is not supported.", "logprobs")
        : request.BestOf is int b && b != 1 ? OpenAIErrors.BadRequest("Only best_of = 1 is supported.", "best_of")
        : null;
}
