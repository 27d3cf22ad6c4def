using System.Text.Json;
using Inference.Serving.Catalog;
using Inference.Serving.OpenAI.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Inference.Serving.OpenAI;

/// <summary>
/// <c>POST /v1/completions</c>: OpenAI's body (the prompt is sent to the model as it is, without a chat template) or
/// seed 004's (<c>input</c>, <c>params</c>, <c>raw</c>, <c>req_id</c>), each answered in its own shape.
/// </summary>
internal static class CompletionsApi
{
    /// <summary>Seed 004's answers are as long as this (at most half the model's context) when <c>params.max_tokens</c> does not say.</summary>
    private const int DefaultInputMaxTokens = 256;

    public static async Task<IResult> CreateAsync(HttpContext http, [AsParameters] OpenAIServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, bodyError) = await OpenAIRequestBody.ReadAsync(http.Request, OpenAIJsonContext.Default.CompletionRequest, services.Options.Value.MaxRequestBodyBytes, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (request!.Input is not null || request.Params is not null || request.Raw is not null || request.ReqId is not null)
        {
            return await InputCompletionAsync(http, services, request, cancellationToken);
        }

        if (ModelResolver.Resolve(services, http, request.Model, ModelKind.Chat, "/v1/completions", out var model, request.User, request.UseFallbacks) is { } modelError)
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

    /// <summary>
    /// Seed 004's completion: <c>input</c> through the model's chat template (or as it is with <c>raw</c>), with
    /// <c>params</c>; answered with the text, the tokens in and out, the finish reason, the time taken and the request id.
    /// </summary>
    private static async Task<IResult> InputCompletionAsync(HttpContext http, OpenAIServices services, CompletionRequest request, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (request.Prompt is not null)
        {
            return OpenAIErrors.BadRequest("Give either prompt (OpenAI's body) or input (seed 004's), not both.", "input");
        }

        if (string.IsNullOrEmpty(request.Input))
        {
            return OpenAIErrors.BadRequest("input is required: the text to complete.", "input");
        }

        if (request.Stream == true)
        {
            return OpenAIErrors.BadRequest("stream is not supported with input; send prompt (OpenAI's body) to stream.", "stream");
        }

        var name = request.Model ?? services.Catalog.DefaultChatModel()?.Id;
        if (ModelResolver.Resolve(services, http, name, ModelKind.Chat, "/v1/completions", out var model, request.User, request.UseFallbacks) is { } modelError)
        {
            return modelError;
        }

        var parameters = request.Params;
        var effective = request with
        {
            // Seed 004's max_tokens is a limit, as llama.cpp's n_predict: never more than the context holds.
            MaxTokens = parameters?.MaxTokens is int limit ? (model.ContextLength is int holds ? Math.Min(limit, holds - 1) : limit)
                : request.MaxTokens ?? (model.ContextLength is int context ? Math.Min(DefaultInputMaxTokens, context / 2) : DefaultInputMaxTokens),
            Temperature = parameters?.Temperature ?? request.Temperature,
            TopP = parameters?.TopP ?? request.TopP,
            TopK = parameters?.TopK ?? request.TopK,
            Seed = parameters?.Seed ?? request.Seed,
            Stop = parameters?.Stop ?? request.Stop,
            Grammar = parameters?.Grammar ?? request.Grammar,
        };
        if ((SamplingRequestMapper.Validate(effective, model, out var options)
            ?? await StructuredRequestMapper.ApplyAsync(effective, null, model, options, services.Grammars, cancellationToken)) is { } optionsError)
        {
            return OpenAIErrors.BadRequest(optionsError);
        }

        if (request.Raw == true)
        {
            (options.AdditionalProperties ??= [])[EngineChatOptions.RawPrompt] = true;
        }

        try
        {
            ChatMessage[] messages = [new ChatMessage(ChatRole.User, request.Input)];
            ChatResponse response;
            try
            {
                response = await model.ChatClient!.GetResponseAsync(messages, options, cancellationToken);
            }
            catch (ContextWindowExceededException ex) when (parameters?.MaxTokens is not null && ex.PromptTokens is int prompt && prompt < ex.ContextLength)
            {
                // More tokens than the prompt leaves room for: what fits is answered, cut by length.
                options.MaxOutputTokens = ex.ContextLength - prompt;
                response = await model.ChatClient!.GetResponseAsync(messages, options, cancellationToken);
            }

            var used = services.Routing.Versioned(Routing.RequestRouting.AnsweringId(model));
            return TypedResults.Json(
                new InputCompletion(
                    response.Text,
                    (int)(response.Usage?.InputTokenCount ?? 0),
                    (int)(response.Usage?.OutputTokenCount ?? 0),
                    OpenAISse.FinishReason(response.FinishReason),
                    Math.Round(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1),
                    request.ReqId ?? RequestIdMiddleware.IdOf(http),
                    used),
                OpenAIJsonContext.Default.InputCompletion);
        }
        catch (Exception ex) when (OpenAIErrors.TryMap(ex, "input") is { } mapped)
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
