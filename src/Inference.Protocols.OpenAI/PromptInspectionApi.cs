using System.Text.Json;
using System.Text.Json.Nodes;
using Inference.Engines;
using Inference.Engines.Structured;
using Inference.Engines.Templates;
using Inference.Http;
using Inference.Protocols.OpenAI.Contracts;
using Inference.Serving;
using Inference.Serving.Remote;
using Inference.Serving.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Inference.Protocols.OpenAI;

/// <summary>
/// Inspecting a prompt, as llama.cpp's server does: <c>POST /apply-template</c> (a chat completion body to the prompt
/// its model's template renders), <c>POST /tokenize</c> and <c>POST /detokenize</c> with the model's own tokenizer. A
/// model served by a Worker is asked there; errors are OpenAI's.
/// </summary>
internal static class PromptInspectionApi
{
    public static async Task<IResult> ApplyTemplateAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (body, bodyError) = await JsonBody.ReadAsync(http.Request, OpenAIJsonContext.Default.ChatCompletionRequest, services.Options.Value.MaxRequestBodyBytes, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (await ForwardAsync(http, services, body!.Model, "/apply-template", () => JsonSerializer.SerializeToNode(body, OpenAIJsonContext.Default.ChatCompletionRequest)!.AsObject(), cancellationToken) is { } forwarded)
        {
            return forwarded;
        }

        var (prompt, error) = await RenderAsync(body, services, cancellationToken);
        return error is not null ? ApiErrors.OpenAI(error) : TypedResults.Json(new ApplyTemplateResponse(prompt!), OpenAIJsonContext.Default.ApplyTemplateResponse);
    }

    public static async Task<IResult> TokenizeAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (body, bodyError) = await JsonBody.ReadAsync(http.Request, OpenAIJsonContext.Default.TokenizeRequest, services.Options.Value.MaxRequestBodyBytes, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (await ForwardAsync(http, services, body!.Model, "/tokenize", () => JsonSerializer.SerializeToNode(body, OpenAIJsonContext.Default.TokenizeRequest)!.AsObject(), cancellationToken) is { } forwarded)
        {
            return forwarded;
        }

        if ((body.Content is null) == (body.Messages is null))
        {
            return ApiErrors.OpenAI(InferenceError.Invalid("Send content (text to tokenize as it is) or messages (a conversation to render first), not both.", "content"));
        }

        var (tokenizer, error) = Tokenizer(services, body.Model);
        if (error is not null)
        {
            return ApiErrors.OpenAI(error);
        }

        var text = body.Content;
        if (body.Messages is not null)
        {
            var chat = new ChatCompletionRequest
            {
                Model = body.Model, Messages = body.Messages, Tools = body.Tools, ToolChoice = body.ToolChoice, ReasoningEffort = body.ReasoningEffort,
                ChatTemplateKwargs = body.ChatTemplateKwargs, AddGenerationPrompt = body.AddGenerationPrompt,
            };
            (text, error) = await RenderAsync(chat, services, cancellationToken);
            if (error is not null)
            {
                return ApiErrors.OpenAI(error);
            }
        }

        var ids = tokenizer!.Tokenize(text!, body.AddSpecial == true);
        return body.WithPieces == true
            ? TypedResults.Json(new TokenizePiecesResponse([.. ids.Select(id => new TokenPiece(id, tokenizer.Piece(id)))]), OpenAIJsonContext.Default.TokenizePiecesResponse)
            : TypedResults.Json(new TokenizeResponse(ids), OpenAIJsonContext.Default.TokenizeResponse);
    }

    public static async Task<IResult> DetokenizeAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var cancellationToken = http.RequestAborted;
        var (body, bodyError) = await JsonBody.ReadAsync(http.Request, OpenAIJsonContext.Default.DetokenizeRequest, services.Options.Value.MaxRequestBodyBytes, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (await ForwardAsync(http, services, body!.Model, "/detokenize", () => JsonSerializer.SerializeToNode(body, OpenAIJsonContext.Default.DetokenizeRequest)!.AsObject(), cancellationToken) is { } forwarded)
        {
            return forwarded;
        }

        var (tokenizer, error) = Tokenizer(services, body.Model);
        if (error is not null)
        {
            return ApiErrors.OpenAI(error);
        }

        if (body.Tokens is null)
        {
            return ApiErrors.OpenAI(InferenceError.Invalid("tokens must be an array of token ids.", "tokens"));
        }

        var outside = body.Tokens.FindIndex(id => id < 0 || id >= tokenizer!.VocabularySize);
        return outside >= 0
            ? ApiErrors.OpenAI(InferenceError.Invalid($"tokens[{outside}] ({body.Tokens[outside]}) is not an id of the model's vocabulary (0 to {tokenizer!.VocabularySize - 1}).", $"tokens[{outside}]"))
            : TypedResults.Json(new DetokenizeResponse(tokenizer!.Detokenize(body.Tokens)), OpenAIJsonContext.Default.DetokenizeResponse);
    }

    /// <summary>The prompt a chat completion body renders to with its model's format, as the engine would run it.</summary>
    private static async Task<(string? Prompt, InferenceError? Error)> RenderAsync(ChatCompletionRequest body, ApiServices services, CancellationToken cancellationToken)
    {
        var (prepared, error) = await ChatCompletionsApi.PrepareAsync(body, services, cancellationToken);
        if (error is not null)
        {
            return (null, error);
        }

        var (model, messages, options) = prepared!.Value;
        if (model.ChatClient.GetService(typeof(ChatFormat)) is not ChatFormat format)
        {
            return (null, InferenceError.Invalid($"Model '{model.Id}' has no chat template to render with.", "model"));
        }

        try
        {
            return (StructuredOutput.Create(messages, options, format, model.Id).Prompt.Text, null);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, "messages") is { } mapped)
        {
            return (null, mapped);
        }
    }

    private static (IPromptTokenizer? Tokenizer, InferenceError? Error) Tokenizer(ApiServices services, string? id)
    {
        var lookup = services.Inference.Find(id, ModelKind.Chat);
        if (OpenAIErrors.Of(lookup, "/tokenize") is { } modelError)
        {
            return (null, modelError);
        }

        return lookup.Model!.ChatClient.GetService(typeof(IPromptTokenizer)) is IPromptTokenizer tokenizer
            ? (tokenizer, null)
            : (null, InferenceError.Invalid($"Model '{lookup.Model.Id}' does not show its tokenizer (it is served by {lookup.Model.Model.Provider}).", "model"));
    }

    /// <summary>The Worker's answer, when the model is served by one; null when it is answered here.</summary>
    private static async Task<IResult?> ForwardAsync(HttpContext http, ApiServices services, string? id, string path, Func<JsonObject> body, CancellationToken cancellationToken)
    {
        var lookup = services.Inference.Find(id, ModelKind.Chat);
        if (lookup.Model is not { } model || !ModelForwarding.CanForward(model.Model))
        {
            return null;
        }

        JsonObject forwarded;
        try
        {
            forwarded = body();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Text JSON cannot carry as it is (a lone surrogate): refused, as the Worker would refuse it.
            return ApiErrors.OpenAI(InferenceError.Invalid($"The request cannot be forwarded as JSON: {ex.Message}", "messages"));
        }

        return await Forwarded.PostAsync(http, model.Model, path, forwarded);
    }
}
