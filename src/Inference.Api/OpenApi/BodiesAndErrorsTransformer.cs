using Inference.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Inference.Api.OpenApi;

/// <summary>
/// Adds to every operation the body it reads (<see cref="RequestBodyMetadata"/>) and the errors any route can answer with, in the body its API uses (OpenAI's error object on
/// <c>/v1</c>, Ollama's on its <c>/api</c> routes, TEI's on <c>/predict</c>, problem details elsewhere): a bad request,
/// a missing or refused key, a limit reached, a draining or unready service, and an unexpected failure; a missing
/// resource where the route names one.
/// </summary>
internal sealed class BodiesAndErrorsTransformer : IOpenApiOperationTransformer
{
    private static readonly (string Status, string Description)[] Always =
    [
        ("400", "The request is malformed or invalid (also: invalid UTF-8, control characters, JSON too deep)."),
        ("401", "Authentication is on and the request has no valid key or token."),
        ("403", "The key or token lacks the scope this route needs."),
        ("429", "A limit is reached (the key's rate, tokens, concurrency or budget, or a full model queue); see Retry-After."),
        ("500", "An unexpected failure (the body never carries internals)."),
        ("503", "The service is starting, draining, or a store it needs is unavailable; see Retry-After."),
    ];

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var path = "/" + (context.Description.RelativePath ?? "").TrimStart('/');
        var format = RouteErrors.FormatOf(new PathString(path.Split('?')[0]));
        var (type, media) = format switch
        {
            ErrorFormat.OpenAI => (typeof(OpenAIErrorResponse), "application/json"),
            ErrorFormat.Ollama => (typeof(OllamaError), "application/json"),
            ErrorFormat.TextEmbeddingsInference => (typeof(PredictError), "application/json"),
            _ => (typeof(ProblemDetails), "application/problem+json"),
        };

        // The body a route reads itself (so that routing does not refuse other content types before it can answer them).
        if (operation.RequestBody is null && context.Description.ActionDescriptor.EndpointMetadata.OfType<RequestBodyMetadata>().FirstOrDefault() is { } body)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { [body.ContentType] = new() { Schema = await ReferenceAsync(body.Type, context, cancellationToken) } },
            };
        }

        operation.Responses ??= [];
        var errors = Always.ToList();
        if (path.Contains('{', StringComparison.Ordinal) || string.Equals(context.Description.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(("404", "What the route names (a model, job, key, file, version...) does not exist, or is another tenant's."));
        }

        if (format == ErrorFormat.TextEmbeddingsInference)
        {
            errors.Add(("422", "The inputs are invalid (Text Embeddings Inference's validation error)."));
        }

        IOpenApiSchema? schema = null;
        foreach (var (status, description) in errors)
        {
            if (operation.Responses.ContainsKey(status))
            {
                continue;
            }

            schema ??= await ReferenceAsync(type, context, cancellationToken);
            operation.Responses[status] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { [media] = new() { Schema = schema } },
            };
        }
    }

    /// <summary>A body's schema, once in the document's components and referenced from every operation.</summary>
    private static async Task<IOpenApiSchema> ReferenceAsync(Type type, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var schema = await context.GetOrCreateSchemaAsync(type, null, cancellationToken);
        if (context.Document is not { } document)
        {
            return schema;
        }

        var id = type.Name;
        if (document.Components?.Schemas?.ContainsKey(id) != true)
        {
            document.AddComponent<IOpenApiSchema>(id, schema);
        }

        return new OpenApiSchemaReference(id, document);
    }
}
