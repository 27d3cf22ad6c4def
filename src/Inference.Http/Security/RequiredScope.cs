using Inference.Serving.Security;

namespace Inference.Http;

/// <summary>
/// Endpoint metadata: the scope a route needs when authentication is on (the admin scope satisfies every one). A route
/// without it needs <see cref="Scopes.Inference"/>. Services that run without authentication ignore it.
/// </summary>
public sealed class RequiredScope
{
    private RequiredScope(string scope) => Scope = scope;

    public static RequiredScope Admin { get; } = new(Scopes.Admin);

    public static RequiredScope Metrics { get; } = new(Scopes.Metrics);

    public string Scope { get; }
}
