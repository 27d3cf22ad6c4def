using System.Text.Json;
using Inference.Http;
using Inference.Protocols.OpenAI.Contracts;
using Inference.Serving;
using Inference.Serving.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.OpenAI;

/// <summary>
/// <c>POST /v1/completions</c>: OpenAI's body (the prompt is sent to the model as it is, without a chat template) or
/// the input body (<c>input</c>, <c>params</c>, <c>raw</c>, <c>req_id</c>), each answered in its own shape.
/// </summary>
internal static class CompletionsApi
{
    /// <summary>Answers to the input body are as long as this (at most half the model's context) when <c>params.max_tokens</c> does not say.</summary>
    private const int DefaultInputMaxTokens = 256;

    private const string Endpoint = "/v1/completions";

    public static async Task<IResult> CreateAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (request, bodyError) = await JsonBody.ReadAsync(http.Request, OpenAIJsonContext.Default.CompletionRequest, services.Options.Value.MaxRequestBodyBytes, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (request!.Stream == true && !IsInputBody(request))
        {
            var (prepared, error) = await PreparePromptAsync(request, services, cancellationToken);
            if (error is not null)
            {
                return ApiErrors.OpenAI(error);
            }

            var (model, messages, options) = prepared!.Value;
            var id = "cmpl-" + Guid.NewGuid().ToString("N");
            var created = services.Now;
            var includeUsage = request.StreamOptions?.IncludeUsage == true;
            return await OpenAISse.StreamAsync(
                model.ChatClient.GetStreamingResponseAsync(messages, options, cancellationToken),
                "prompt",
                update => update.Text.Length > 0 || update.FinishReason is not null
                    ? [Serialize(new TextCompletion(id, created, update.ModelId ?? model.Id, [new TextChoice(update.Text, 0, OpenAISse.FinishReason(update.FinishReason))]))]
                    : [],
                usage => includeUsage ? Serialize(new TextCompletion(id, created, model.AnsweredBy.Id, [], OpenAISse.ToUsage(usage))) : null,
                cancellationToken);
        }

        var (body, failure) = await RunAsync(request, services, cancellationToken);
        return failure is not null ? ApiErrors.OpenAI(failure) : TypedResults.Json(body!.Value, OpenAIJsonContext.Default.JsonElement);
    }

    /// <summary>
    /// A completion request answered without streaming (also a batch's line): OpenAI's text completion for a
    /// <c>prompt</c>, the input body's answer for an <c>input</c>; or the error.
    /// </summary>
    public static async Task<(JsonElement? Body, InferenceError? Error)> RunAsync(CompletionRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        if (IsInputBody(request))
        {
            var (input, inputError) = await InputCompletionAsync(services, request, cancellationToken);
            return inputError is not null ? (null, inputError) : (JsonSerializer.SerializeToElement(input!, OpenAIJsonContext.Default.InputCompletion), null);
        }

        if (request.Stream == true)
        {
            return (null, InferenceError.Invalid("stream is not supported here: a batch's answers are not streamed.", "stream"));
        }

        var (prepared, error) = await PreparePromptAsync(request, services, cancellationToken);
        if (error is not null)
        {
            return (null, error);
        }

        var (model, messages, options) = prepared!.Value;
        var id = "cmpl-" + Guid.NewGuid().ToString("N");
        var created = services.Now;
        try
        {
            var response = await model.ChatClient.GetResponseAsync(messages, options, cancellationToken);
            var completion = new TextCompletion(id, created, response.ModelId ?? model.Id, [new TextChoice(response.Text, 0, OpenAISse.FinishReason(response.FinishReason))], OpenAISse.ToUsage(response.Usage));
            return (JsonSerializer.SerializeToElement(completion, OpenAIJsonContext.Default.TextCompletion), null);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, "prompt") is { } mapped)
        {
            return (null, mapped);
        }
    }

    /// <summary>The input body (<c>input</c>, <c>params</c>, <c>raw</c>, <c>req_id</c>) rather than OpenAI's.</summary>
    private static bool IsInputBody(CompletionRequest request) =>
        request.Input is not null || request.Params is not null || request.Raw is not null || request.ReqId is not null;

    /// <summary>OpenAI's body: the model, the prompt as it is (no chat template), the options; or why not.</summary>
    private static async Task<((RoutedModel Model, ChatMessage[] Messages, ChatOptions Options)? Prepared, InferenceError? Error)> PreparePromptAsync(
        CompletionRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        var lookup = services.Inference.Find(request.Model, ModelKind.Chat, request.User, request.UseFallbacks);
        if (OpenAIErrors.Of(lookup, Endpoint) is { } modelError)
        {
            return (null, modelError);
        }

        if ((ReadPrompt(request.Prompt, out var prompt) ?? Unsupported(request)) is { } promptError)
        {
            return (null, promptError);
        }

        var model = lookup.Model!;
        var (options, optionsError) = await SamplingFields.ReadAsync(request, model.Model, services.Grammars, cancellationToken);
        if (optionsError is not null)
        {
            return (null, optionsError);
        }

        (options.AdditionalProperties ??= [])[EngineChatOptions.RawPrompt] = true;
        return ((model, [new(ChatRole.User, prompt)], options), null);
    }

    /// <summary>
    /// The input body's completion: <c>input</c> through the model's chat template (or as it is with <c>raw</c>), with
    /// <c>params</c>; answered with the text, the tokens in and out, the finish reason, the time taken and the request id.
    /// </summary>
    private static async Task<(InputCompletion? Completion, InferenceError? Error)> InputCompletionAsync(ApiServices services, CompletionRequest request, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (request.Stream == true)
        {
            return (null, InferenceError.Invalid("stream is not supported with input; send prompt (OpenAI's body) to stream.", "stream"));
        }

        var (prepared, error) = await PrepareInputAsync(services, request, cancellationToken);
        if (error is not null)
        {
            return (null, error);
        }

        var (model, messages, options) = prepared!.Value;
        var parameters = request.Params;
        try
        {
            ChatResponse response;
            try
            {
                response = await model.ChatClient.GetResponseAsync(messages, options, cancellationToken);
            }
            catch (ContextWindowExceededException ex) when (parameters?.MaxTokens is not null && ex.PromptTokens is int prompt && prompt < ex.ContextLength)
            {
                // More tokens than the prompt leaves room for: what fits is answered, cut by length.
                options.MaxOutputTokens = ex.ContextLength - prompt;
                response = await model.ChatClient.GetResponseAsync(messages, options, cancellationToken);
            }

            return (new InputCompletion(
                response.Text,
                (int)(response.Usage?.InputTokenCount ?? 0),
                (int)(response.Usage?.OutputTokenCount ?? 0),
                OpenAISse.FinishReason(response.FinishReason),
                Math.Round(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1),
                request.ReqId ?? InferenceContext.Current?.RequestId ?? "",
                services.Inference.Versioned(model.AnsweredBy.Id)), null);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, "input") is { } mapped)
        {
            return (null, mapped);
        }
    }

    /// <summary>
    /// The input body's model, conversation (<c>input</c> as the user's message, through the chat template unless
    /// <c>raw</c>) and options from <c>params</c>; or why it cannot be answered. Shared by the HTTP route and the
    /// transports that answer the same body (NATS), which may stream it.
    /// </summary>
    internal static async Task<((RoutedModel Model, ChatMessage[] Messages, ChatOptions Options)? Prepared, InferenceError? Error)> PrepareInputAsync(
        ApiServices services, CompletionRequest request, CancellationToken cancellationToken)
    {
        if (request.Prompt is not null)
        {
            return (null, InferenceError.Invalid("Give either prompt (OpenAI's body) or input (the input body), not both.", "input"));
        }

        if (string.IsNullOrEmpty(request.Input))
        {
            return (null, InferenceError.Invalid("input is required: the text to complete.", "input"));
        }

        var lookup = services.Inference.Find(request.Model ?? services.Catalog.DefaultChatModel()?.Id, ModelKind.Chat, request.User, request.UseFallbacks);
        if (OpenAIErrors.Of(lookup, Endpoint) is { } modelError)
        {
            return (null, modelError);
        }

        var model = lookup.Model!;
        var parameters = request.Params;
        var effective = request with
        {
            // The input body's max_tokens is a limit, as llama.cpp's n_predict: never more than the context holds.
            MaxTokens = parameters?.MaxTokens is int limit ? (model.Model.ContextLength is int holds ? Math.Min(limit, holds - 1) : limit)
                : request.MaxTokens ?? (model.Model.ContextLength is int context ? Math.Min(DefaultInputMaxTokens, context / 2) : DefaultInputMaxTokens),
            Temperature = parameters?.Temperature ?? request.Temperature,
            TopP = parameters?.TopP ?? request.TopP,
            TopK = parameters?.TopK ?? request.TopK,
            Seed = parameters?.Seed ?? request.Seed,
            Stop = parameters?.Stop ?? request.Stop,
            Grammar = parameters?.Grammar ?? request.Grammar,
            Stream = null,
        };
        var (options, optionsError) = await SamplingFields.ReadAsync(effective, model.Model, services.Grammars, cancellationToken);
        if (optionsError is not null)
        {
            return (null, optionsError);
        }

        if (request.Raw == true)
        {
            (options.AdditionalProperties ??= [])[EngineChatOptions.RawPrompt] = true;
        }

        return ((model, [new ChatMessage(ChatRole.User, request.Input)], options), null);
    }

    private static string Serialize(TextCompletion chunk) => JsonSerializer.Serialize(chunk, OpenAIJsonContext.Default.TextCompletion);

    private static InferenceError? ReadPrompt(JsonElement? prompt, out string text)
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
                return InferenceError.Invalid("prompt must be a string or an array of exactly one string (token arrays and batches are not supported).", "prompt");
            default:
                return InferenceError.Invalid("You must provide a prompt string.", "prompt");
        }

        return text.Length == 0 ? InferenceError.Invalid("prompt must not be empty.", "prompt") : null;
    }

    private static InferenceError? Unsupported(CompletionRequest request) =>
        request.Echo == true ? InferenceError.Invalid("echo is not supported.", "echo")
        : request.Suffix is { Length: > 0 } ? InferenceError.Invalid("suffix is not supported.", "suffix")
        : request.Logprobs is not null ? InferenceError.Invalid("logprobs is not supported.", "logprobs")
        : request.BestOf is int b && b != 1 ? InferenceError.Invalid("Only best_of = 1 is supported.", "best_of")
        : null;
}
