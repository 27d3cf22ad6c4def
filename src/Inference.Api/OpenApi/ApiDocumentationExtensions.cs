using Inference.Api.OpenApi;
using Scalar.AspNetCore;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The API's own description: an OpenAPI 3 document at <c>/openapi/v1.json</c> (Microsoft.AspNetCore.OpenApi) with the
/// wire names each API really uses and the errors every route can answer with, and a Scalar API reference at
/// <c>/scalar</c>. Both are open when authentication is on: they describe the API, they hold no data.
/// </summary>
public static class ApiDocumentationExtensions
{
    public const string DocumentName = "v1";

    public static IHostApplicationBuilder AddApiDocumentation(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new()
                {
                    Title = "InferenceAspire",
                    Version = DocumentName,
                    Description = "Machine-learning models, local and remote, behind one API: OpenAI- and Ollama-compatible inference, "
                        + "classification, the model registry, deployments, jobs, keys, usage and monitoring.",
                };
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer<UndescribedEndpointsTransformer>();
            options.AddSchemaTransformer<WireNameSchemaTransformer>();
            options.AddOperationTransformer<BodiesAndErrorsTransformer>();
        });
        return builder;
    }

    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapOpenApi().AllowAnonymous().ExcludeFromDescription();
        app.MapScalarApiReference(options => options.WithTitle("InferenceAspire API")).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
