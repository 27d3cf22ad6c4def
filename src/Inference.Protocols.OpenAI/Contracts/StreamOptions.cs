namespace Inference.Protocols.OpenAI.Contracts;

public sealed record StreamOptions
{
    public bool? IncludeUsage { get; init; }
}
