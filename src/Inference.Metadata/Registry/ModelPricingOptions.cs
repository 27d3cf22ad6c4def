namespace Inference.Metadata.Registry;

/// <summary>
/// What a model's tokens cost, for the estimated cost in <c>GET /api/models/{id}/metrics</c>
/// (<c>Inference:Pricing:&lt;model&gt;:InputPerMillion</c> and <c>:OutputPerMillion</c>, in your currency per million tokens).
/// Local models cost nothing unless priced.
/// </summary>
public sealed class ModelPricingOptions
{
    public const string SectionName = "Inference:Pricing";

    public Dictionary<string, ModelPrice> Models { get; } = new(StringComparer.Ordinal);
}

public sealed class ModelPrice
{
    public decimal InputPerMillion { get; set; }

    public decimal OutputPerMillion { get; set; }
}
