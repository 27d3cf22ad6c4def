using Inference.Http;

namespace Microsoft.AspNetCore.Builder;

public static class DrainingEndpointExtensions
{
    /// <summary>Marks an inference route: refused while the service drains, and waited for before it stops.</summary>
    public static TBuilder Drains<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(DrainsOnShutdown.Instance);
    }
}
