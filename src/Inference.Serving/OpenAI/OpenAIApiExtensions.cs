using Microsoft.AspNetCore.Http;
using Inference.Serving.Catalog;
using Inference.Serving.OpenAI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

public static class OpenAIApiExtensions
{
    /// <summary>The services behind <c>MapOpenAIApi</c>: catalog, limits, problem details and the /v1 error handler.</summary>
    public static IHostApplicationBuilder AddOpenAIApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<OpenAIApiOptions>()
            .BindConfiguration(OpenAIApiOptions.SectionName)
            .Validate(o => o.MaxRequestBodyBytes > 0, "Inference:Api:MaxRequestBodyBytes must be positive.")
            .Validate(o => o.MaxJsonDepth is >= 4 and <= 256 && o.MaxMessages >= 1, "Inference:Api:MaxJsonDepth must be 4 to 256 and MaxMessages at least 1.")
            .Validate(o => o.MaxEmbeddingInputs > 0, "Inference:Api:MaxEmbeddingInputs must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<ModelCatalog>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<OpenAIExceptionHandler>();
        builder.Services.TryAddSingleton<OpenAIRequestDispatcher>();

        // A body the framework cannot bind (malformed JSON) is the caller's 400 on every route, in Development too,
        // where minimal APIs throw it instead of answering it.
        builder.Services.Configure<Microsoft.AspNetCore.Builder.ExceptionHandlerOptions>(o =>
            o.StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
        return builder;
    }
}
