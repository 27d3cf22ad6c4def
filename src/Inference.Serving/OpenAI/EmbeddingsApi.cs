using System.Runtime.InteropServices;
using System.Text.Json;
using Inference.Serving.Catalog;
using Inference.Serving.OpenAI.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace Inference.Serving.OpenAI;

/// <summary><c>POST /v1/embeddings</c>: string or array input, float or base64 encoding.</summary>
internal static class EmbeddingsApi
{
    public static async Task<IResult> CreateAsync(HttpContext http, [AsParameters] OpenAIServices services)
    {
        var cancellationToken = http.RequestAborted;
        var limits = services.Options.Value;
        var (request, bodyError) = await OpenAIRequestBody.ReadAsync(http.Request, OpenAIJsonContext.Default.EmbeddingRequest, limits.MaxRequestBodyBytes, cancellationToken);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (ModelResolver.Resolve(services, http, request!.Model, ModelKind.Embedding, "/v1/embeddings", out var model, request.User, request.UseFallbacks) is { } modelError)
        {
            return modelError;
        }

        var (inputs, _, inputError) = TextInputs.Read(request.Input, "input", limits.MaxEmbeddingInputs, "embedded");
        if (inputError is not null)
        {
            return OpenAIErrors.BadRequest(inputError, "input");
        }

        var base64 = request.EncodingFormat switch
        {
            null or "float" => false,
            "base64" => true,
            _ => (bool?)null,
        };
        if (base64 is null)
        {
            return OpenAIErrors.BadRequest($"encoding_format must be 'float' or 'base64'; got '{request.EncodingFormat}'.", "encoding_format", "invalid_value");
        }

        if (request.Dimensions is int dims && dims != model.Dimensions)
        {
            return OpenAIErrors.BadRequest($"The model '{model.Id}' does not support the dimensions parameter: it always returns {model.Dimensions} dimensions.", "dimensions", "invalid_value");
        }

        try
        {
            var embeddings = await model.EmbeddingGenerator!.GenerateAsync(inputs, cancellationToken: cancellationToken);
            var data = embeddings.Select((e, i) => new EmbeddingItem(i, base64.Value ? Convert.ToBase64String(MemoryMarshal.AsBytes(e.Vector.Span)) : e.Vector.ToArray())).ToList();
            var tokens = (int)(embeddings.Usage?.InputTokenCount ?? 0);
            return TypedResults.Json(new EmbeddingList(data, embeddings.FirstOrDefault()?.ModelId ?? model.Id, new EmbeddingUsage(tokens, tokens)), OpenAIJsonContext.Default.EmbeddingList);
        }
        catch (Exception ex) when (OpenAIErrors.TryMap(ex, "input") is { } mapped)
        {
            return mapped;
        }
    }
}
