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

        if (ReadInput(request.Input, limits.MaxEmbeddingInputs, out var inputs) is { } inputError)
        {
            return inputError;
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

    private static IResult? ReadInput(JsonElement? input, int maxInputs, out List<string> inputs)
    {
        inputs = [];
        switch (input)
        {
            case { ValueKind: JsonValueKind.String } s:
                inputs.Add(s.GetString()!);
                break;
            case { ValueKind: JsonValueKind.Array } a when a.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                inputs.AddRange(a.EnumerateArray().Select(e => e.GetString()!));
                break;
            case { ValueKind: JsonValueKind.Array }:
                return OpenAIErrors.BadRequest("input must be a string or an array of strings (token arrays are not supported).", "input");
            default:
                return OpenAIErrors.BadRequest("You must provide an input string or array of strings.", "input");
        }

        if (inputs.Count == 0)
        {
            return OpenAIErrors.BadRequest("input must not be an empty array.", "input");
        }

        if (inputs.Count > maxInputs)
        {
            return OpenAIErrors.BadRequest($"input has {inputs.Count} items; at most {maxInputs} are allowed.", "input");
        }

        var empty = inputs.FindIndex(s => s.Length == 0);
        return empty >= 0 ? OpenAIErrors.BadRequest($"input[{empty}] is empty; empty strings cannot be embedded.", "input") : null;
    }
}
