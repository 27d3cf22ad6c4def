namespace Inference.Serving.Security;

/// <summary>What a caller may do (an API key's or a token's scopes), and the claims a caller's identity carries.</summary>
public static class Scopes
{
    /// <summary>Inference routes, the caller's own jobs, batches, files and usage.</summary>
    public const string Inference = "inference";

    /// <summary>Everything: keys, the registry's writes, deployments, breakers, every tenant's data.</summary>
    public const string Admin = "admin";

    /// <summary>Read-only monitoring: <c>/metrics</c>, the dashboard, alerts and reports.</summary>
    public const string Metrics = "metrics";

    /// <summary>The claim type each of a caller's scopes is carried in.</summary>
    public const string ClaimType = "scope";

    /// <summary>The tenant (owner) whose jobs, files and usage a caller sees.</summary>
    public const string TenantClaimType = "tenant";

    /// <summary>The key's id (or <c>jwt:{subject}</c> for a token): what limits and usage are counted by.</summary>
    public const string KeyIdClaimType = "key_id";

    /// <summary>A model the caller may use; none means every model.</summary>
    public const string ModelClaimType = "model";

    public static IReadOnlyList<string> All { get; } = [Inference, Admin, Metrics];
}
