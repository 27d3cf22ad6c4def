using Inference.Http;
using Inference.Protocols.OpenAI;
using Inference.Protocols.OpenAI.Contracts;
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
        v1.MapPost("/chat/completions", ChatCompletionsApi.CreateAsync).WithName("CreateChatCompletion").WithSummary("Chat completion, optionally streamed as server-sent events.").Drains()
            .Documented<ChatCompletionRequest, ChatCompletion>(RouteDocumentation.EventStream);
        v1.MapPost("/completions", CompletionsApi.CreateAsync).WithName("CreateCompletion").WithSummary("Text completion of a raw prompt.").Drains()
            .Documented<CompletionRequest, TextCompletion>(RouteDocumentation.EventStream);
        v1.MapPost("/embeddings", EmbeddingsApi.CreateAsync).WithName("CreateEmbeddings").WithSummary("Embeddings of one or more texts.").Drains()
            .Documented<EmbeddingRequest, EmbeddingList>();
        v1.MapGet("/models", ModelsApi.List).WithName("ListModels").WithSummary("The models this service serves.").Returns<ModelList>();
        v1.MapGet("/models/{id}", ModelsApi.Get).WithName("GetModel").WithSummary("One model.").Returns<ModelInfo>();
        v1.MapFallback((HttpContext http) => ApiErrors.OpenAI(
            StatusCodes.Status404NotFound, $"Unknown request URL: {http.Request.Method} {http.Request.Path}.", code: "unknown_url"));
        return v1;
    }
}
