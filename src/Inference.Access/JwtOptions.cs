namespace Inference.Access;

/// <summary>
/// Bearer tokens for service-to-service calls (<c>Inference:Auth:Jwt</c>): HMAC-SHA256 tokens signed with any of
/// <see cref="SigningKeys"/> (several, so a key can be rotated: add the new one, move the signers, remove the old one),
/// from one of <see cref="Issuers"/>, for one of <see cref="Audiences"/>. A token's <c>scope</c> (or <c>scp</c>) claim
/// holds its scopes, space-separated; <c>tenant</c> (or <c>tid</c>) its tenant (else its subject); <c>models</c> the
/// models it may use (space-separated; none: all). Limits and usage are counted by <c>jwt:{sub}</c>.
/// </summary>
public sealed class JwtOptions
{
    public const string SectionName = "Inference:Auth:Jwt";

    public List<string> Issuers { get; set; } = [];

    public List<string> Audiences { get; set; } = [];

    /// <summary>Shared secrets (at least 32 bytes each; <c>base64:</c> before one given as base64).</summary>
    public List<string> SigningKeys { get; set; } = [];

    /// <summary>Allowed difference between clocks for expiry and not-before.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => SigningKeys.Count > 0;

    public static byte[] KeyBytes(string key) =>
        key.StartsWith("base64:", StringComparison.Ordinal) ? Convert.FromBase64String(key["base64:".Length..]) : System.Text.Encoding.UTF8.GetBytes(key);
}
