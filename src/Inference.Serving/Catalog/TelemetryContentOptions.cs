namespace Inference.Serving.Catalog;

/// <summary>
/// Whether the GenAI spans of chat and embedding calls carry the prompt and response text (<c>Inference:Telemetry</c>).
/// Off by default: prompts are user data. <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true</c>, the
/// OpenTelemetry GenAI convention's switch, turns it on as well.
/// </summary>
public sealed class TelemetryContentOptions
{
    public const string SectionName = "Inference:Telemetry";

    public bool IncludeContent { get; set; }
}
