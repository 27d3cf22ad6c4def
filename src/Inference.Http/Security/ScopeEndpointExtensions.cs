using Inference.Http;

namespace Microsoft.AspNetCore.Builder;

public static class ScopeEndpointExtensions
{
    /// <summary>With authentication on, only callers with the admin scope may use the route.</summary>
    public static TBuilder RequireAdminScope<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(RequiredScope.Admin);
    }

    /// <summary>With authentication on, callers with the metrics (or admin) scope may use the route.</summary>
    public static TBuilder RequireMetricsScope<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(RequiredScope.Metrics);
    }
}
