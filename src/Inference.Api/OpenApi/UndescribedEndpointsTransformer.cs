using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Inference.Api.OpenApi;

/// <summary>
/// Adds the routes the document generator cannot see, because they are not route handlers (the health checks,
/// Prometheus' <c>/metrics</c>), so that the document lists every route the service answers.
/// </summary>
internal sealed class UndescribedEndpointsTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Paths ??= [];
        foreach (var endpoint in context.ApplicationServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription == true
                || endpoint.RoutePattern.Parameters.Any(p => p.IsCatchAll))
            {
                continue;
            }

            var path = "/" + (endpoint.RoutePattern.RawText ?? "").Trim('/');
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [HttpMethods.Get];
            foreach (var method in methods)
            {
                var operationType = HttpMethod.Parse(method);
                if (document.Paths.TryGetValue(path, out var item) && item.Operations?.ContainsKey(operationType) == true)
                {
                    continue;
                }

                if (item is null)
                {
                    item = new OpenApiPathItem();
                    document.Paths[path] = item;
                }

                ((OpenApiPathItem)item).AddOperation(operationType, new OpenApiOperation
                {
                    Summary = endpoint.DisplayName,
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse
                        {
                            Description = "OK",
                            Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                        },
                    },
                });
            }
        }

        return Task.CompletedTask;
    }
}
