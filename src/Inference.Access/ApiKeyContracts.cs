using System.Text.Json.Serialization;

namespace Inference.Access;

public sealed record CreateApiKeyRequest(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("scopes")] IReadOnlyList<string>? Scopes,
    [property: JsonPropertyName("models")] IReadOnlyList<string>? Models,
    [property: JsonPropertyName("tenant")] string? Tenant,
    [property: JsonPropertyName("expires_at")] DateTimeOffset? ExpiresAt,
    [property: JsonPropertyName("limits")] ApiKeyLimits? Limits = null,
    [property: JsonPropertyName("budget")] ApiKeyBudget? Budget = null,
    [property: JsonPropertyName("overflow_model")] string? OverflowModel = null);

/// <summary>What a key may use, across every Api replica; a missing field is no limit.</summary>
public sealed record ApiKeyLimits(
    [property: JsonPropertyName("requests_per_minute")] int? RequestsPerMinute = null,
    [property: JsonPropertyName("tokens_per_minute")] int? TokensPerMinute = null,
    [property: JsonPropertyName("max_concurrent_requests")] int? MaxConcurrentRequests = null,
    [property: JsonPropertyName("max_prompt_tokens")] int? MaxPromptTokens = null);

/// <summary>Money a key may spend a period (day or month, UTC), at the models' token prices (<c>Inference:Pricing</c>).</summary>
public sealed record ApiKeyBudget(
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("period")] string? Period = null);

/// <summary>A key as listed: never its secret, which only the creation's answer carries.</summary>
public sealed record ApiKeyResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("prefix")] string Prefix,
    [property: JsonPropertyName("scopes")] IReadOnlyList<string> Scopes,
    [property: JsonPropertyName("models")] IReadOnlyList<string>? Models,
    [property: JsonPropertyName("tenant")] string Tenant,
    [property: JsonPropertyName("created_at")] DateTimeOffset Created,
    [property: JsonPropertyName("expires_at")] DateTimeOffset? Expires,
    [property: JsonPropertyName("revoked_at")] DateTimeOffset? Revoked,
    [property: JsonPropertyName("limits")] ApiKeyLimits Limits,
    [property: JsonPropertyName("budget")] ApiKeyBudget? Budget,
    [property: JsonPropertyName("overflow_model")] string? OverflowModel,
    [property: JsonPropertyName("secret")] string? Secret = null);
