namespace Inference.Serving.Catalog;

/// <summary>The queue utilisation at which a model's backpressure is warning or critical (<c>Inference:Monitoring</c>).</summary>
public sealed class BackpressureOptions
{
    public const string SectionName = "Inference:Monitoring";

    /// <summary>Queue utilisation (waiting ÷ capacity) from which a model's backpressure is <c>warning</c>.</summary>
    public double BackpressureWarning { get; set; } = 0.5;

    /// <summary>Queue utilisation from which a model's backpressure is <c>critical</c>.</summary>
    public double BackpressureCritical { get; set; } = 0.8;
}
