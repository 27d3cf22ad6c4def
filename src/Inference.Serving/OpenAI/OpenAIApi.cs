using Inference.Serving.OpenAI;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

public static class OpenAIApi
{
    /// <summary>Maps the OpenAI-compatible API under <c>/v1</c>; unknown <c>/v1</c> routes answer with OpenAI's 404 error.</summary>
    public static RouteGroupBuilder MapOpenAIApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var v1 = endpoints.MapGroup("/v1").WithTags("OpenAI");
        v1.MapPost("/chat/completions", ChatCompletionsApi.CreateAsync).WithName("CreateChatCompletion").WithSummary("Chat completion, optionally streamed as server-sent events.").Drains();
        v1.MapPost("/completions", CompletionsApi.CreateAsync).WithName("CreateCompletion").WithSummary("Text completion of a raw prompt.").Drains();
        v1.MapPost("/embeddings", EmbeddingsApi.CreateAsync).WithName("CreateEmbeddings").WithSummary("Embeddings of one or more texts.").Drains();
        v1.MapGet("/models", ModelsApi.List).WithName("ListModels").WithSummary("The models this service serves.");
        v1.MapGet("/models/{id}", ModelsApi.Get).WithName("GetModel").WithSummary("One model.");
        v1.MapFallback((HttpContext http) => OpenAIErrors.Create(
            StatusCodes.Status404NotFound, $"Unknown request URL: {http.Request.Method} {http.Request.Path}.", "invalid_request_error", code: "unknown_url"));
        return v1;
    }
}
