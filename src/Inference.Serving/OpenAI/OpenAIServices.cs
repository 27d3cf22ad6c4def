using Inference.Serving.Catalog;
using Microsoft.Extensions.Options;

namespace Inference.Serving.OpenAI;

/// <summary>What the OpenAI endpoints need, bound with [AsParameters].</summary>
internal sealed record OpenAIServices(ModelCatalog Catalog, IOptions<OpenAIApiOptions> Options, TimeProvider Time)
{
    public long Now => Time.GetUtcNow().ToUnixTimeSeconds();
}
