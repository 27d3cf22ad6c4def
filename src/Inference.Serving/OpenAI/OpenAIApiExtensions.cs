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
            .Validate(o => o.MaxEmbeddingInputs > 0, "Inference:Api:MaxEmbeddingInputs must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<ModelCatalog>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<OpenAIExceptionHandler>();
        return builder;
    }
}
