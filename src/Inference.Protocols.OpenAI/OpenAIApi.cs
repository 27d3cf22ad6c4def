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

        // Inspecting prompts, at the root as llama.cpp's server has them.
        endpoints.MapPost("/apply-template", PromptInspectionApi.ApplyTemplateAsync).WithTags("Prompts").WithName("ApplyTemplate")
            .WithSummary("The prompt a chat completion body renders to with its model's chat template.").Documented<ChatCompletionRequest, ApplyTemplateResponse>();
        endpoints.MapPost("/tokenize", PromptInspectionApi.TokenizeAsync).WithTags("Prompts").WithName("Tokenize")
            .WithSummary("A text's (or a rendered conversation's) token ids in the model's vocabulary, with their pieces if asked.").Documented<TokenizeRequest, TokenizeResponse>();
        endpoints.MapPost("/detokenize", PromptInspectionApi.DetokenizeAsync).WithTags("Prompts").WithName("Detokenize")
            .WithSummary("The text of token ids in the model's vocabulary.").Documented<DetokenizeRequest, DetokenizeResponse>();
        v1.MapFallback((HttpContext http) => ApiErrors.OpenAI(
            StatusCodes.Status404NotFound, $"Unknown request URL: {http.Request.Method} {http.Request.Path}.", code: "unknown_url"));
        return v1;
    }
}
