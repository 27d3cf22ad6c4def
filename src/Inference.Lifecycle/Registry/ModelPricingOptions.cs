namespace Inference.Lifecycle.Registry;

/// <summary>
/// What a model's tokens cost when its registered version names no price of its own (<see cref="ModelPrices"/>):
/// <c>Inference:Pricing:&lt;model&gt;:InputPerMillion</c> and <c>:OutputPerMillion</c>, in your currency per million
/// tokens. Local models cost nothing unless priced.
/// </summary>
public sealed class ModelPricingOptions
{
    public const string SectionName = "Inference:Pricing";

    public Dictionary<string, ModelPrice> Models { get; } = new(StringComparer.Ordinal);

    /// <summary>The price of <paramref name="model"/> (a name, or <c>name:version</c> priced by its name), or null.</summary>
    public ModelPrice? Find(string model) =>
        Models.GetValueOrDefault(model) ?? Models.GetValueOrDefault(Inference.Serving.Routing.ModelReference.Parse(model).Name);

    /// <summary>What <paramref name="input"/> and <paramref name="output"/> tokens of <paramref name="model"/> cost (0 unpriced).</summary>
    public decimal Cost(string? model, long input, long output) => model is not null && Find(model) is { } price ? price.Cost(input, output) : 0m;
}

public sealed class ModelPrice
{
    public decimal InputPerMillion { get; set; }

    public decimal OutputPerMillion { get; set; }

    public decimal Cost(long input, long output) => ((input * InputPerMillion) + (output * OutputPerMillion)) / 1_000_000m;
}
