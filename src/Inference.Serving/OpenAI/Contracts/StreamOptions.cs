namespace Inference.Serving.OpenAI.Contracts;

public sealed record StreamOptions
{
    public bool? IncludeUsage { get; init; }
}
