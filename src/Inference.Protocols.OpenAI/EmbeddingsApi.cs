using System.Runtime.InteropServices;
using Inference.Http;
using Inference.Protocols.OpenAI.Contracts;
using Inference.Serving.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Inference.Protocols.OpenAI;

/// <summary><c>POST /v1/embeddings</c>: string or array input, float or base64 encoding.</summary>
internal static class EmbeddingsApi
{
    private const string Endpoint = "/v1/embeddings";

    public static async Task<IResult> CreateAsync(HttpContext http, [AsParameters] ApiServices services)
    {
        var (request, bodyError) = await JsonBody.ReadAsync(http.Request, OpenAIJsonContext.Default.EmbeddingRequest, services.Options.Value.MaxRequestBodyBytes, http.RequestAborted);
        if (bodyError is not null)
        {
            return bodyError;
        }

        var (list, error) = await RunAsync(request!, services, http.RequestAborted);
        return error is not null ? ApiErrors.OpenAI(error) : TypedResults.Json(list, OpenAIJsonContext.Default.EmbeddingList);
    }

    /// <summary>An embeddings request answered (also a batch's line): the vectors, or the error.</summary>
    public static async Task<(EmbeddingList? List, InferenceError? Error)> RunAsync(EmbeddingRequest request, ApiServices services, CancellationToken cancellationToken)
    {
        var lookup = services.Inference.Find(request.Model, ModelKind.Embedding, request.User, request.UseFallbacks);
        if (OpenAIErrors.Of(lookup, Endpoint) is { } modelError)
        {
            return (null, modelError);
        }

        var model = lookup.Model!;
        var (inputs, _, inputError) = TextInputs.Read(request.Input, "input", services.Options.Value.MaxEmbeddingInputs, "embedded");
        if (inputError is not null)
        {
            return (null, InferenceError.Invalid(inputError, "input"));
        }

        var base64 = request.EncodingFormat switch
        {
            null or "float" => false,
            "base64" => true,
            _ => (bool?)null,
        };
        if (base64 is null)
        {
            return (null, InferenceError.Invalid($"encoding_format must be 'float' or 'base64'; got '{request.EncodingFormat}'.", "encoding_format", "invalid_value"));
        }

        if (request.Dimensions is int dims && dims != model.Model.Dimensions)
        {
            return (null, InferenceError.Invalid($"The model '{model.Id}' does not support the dimensions parameter: it always returns {model.Model.Dimensions} dimensions.", "dimensions", "invalid_value"));
        }

        try
        {
            var embeddings = await model.EmbeddingGenerator.GenerateAsync(inputs, cancellationToken: cancellationToken);
            var data = embeddings.Select((e, i) => new EmbeddingItem(i, base64.Value ? Convert.ToBase64String(MemoryMarshal.AsBytes(e.Vector.Span)) : e.Vector.ToArray())).ToList();
            var tokens = (int)(embeddings.Usage?.InputTokenCount ?? 0);
            return (new EmbeddingList(data, embeddings.FirstOrDefault()?.ModelId ?? model.Id, new EmbeddingUsage(tokens, tokens)), null);
        }
        catch (Exception ex) when (InferenceErrors.FromException(ex, "input") is { } mapped)
        {
            return (null, mapped);
        }
    }
}
