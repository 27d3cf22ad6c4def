namespace Inference.Metadata.Security;

/// <summary>What a key may do, and the authorization policies that ask for it.</summary>
public static class Scopes
{
    public const string Inference = "inference";
    public const string Admin = "admin";
    public const string Metrics = "metrics";

    /// <summary>The claim type each of a caller's scopes is carried in.</summary>
    public const string ClaimType = "scope";

    public const string TenantClaimType = "tenant";

    public const string KeyIdClaimType = "key_id";

    public static IReadOnlyList<string> All { get; } = [Inference, Admin, Metrics];

    /// <summary>Policy: the admin scope.</summary>
    public const string AdminPolicy = "inference-admin";
}
