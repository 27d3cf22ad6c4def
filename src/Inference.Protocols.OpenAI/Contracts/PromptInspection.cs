using System.Text.Json;

namespace Inference.Protocols.OpenAI.Contracts;

/// <summary>
/// <c>POST /tokenize</c>: <c>content</c> to tokenize as it is, or <c>messages</c> (with the chat completion's tools and
/// template fields) rendered with the model's template first.
/// </summary>
public sealed record TokenizeRequest
{
    public string? Model { get; init; }

    public string? Content { get; init; }

    public List<ChatMessageRequest?>? Messages { get; init; }

    public JsonElement? Tools { get; init; }

    public JsonElement? ToolChoice { get; init; }

    public string? ReasoningEffort { get; init; }

    public JsonElement? ChatTemplateKwargs { get; init; }

    public bool? AddGenerationPrompt { get; init; }

    /// <summary>Add the model's BOS as its tokenizer would (default false; a rendered conversation has its template's).</summary>
    public bool? AddSpecial { get; init; }

    /// <summary>Give each token's text beside its id.</summary>
    public bool? WithPieces { get; init; }
}

/// <summary><c>POST /detokenize</c>: the ids to turn back into text.</summary>
public sealed record DetokenizeRequest(string? Model, List<int>? Tokens);

public sealed record ApplyTemplateResponse(string Prompt);

public sealed record TokenizeResponse(IReadOnlyList<int> Tokens);

public sealed record TokenPiece(int Id, string Piece);

public sealed record TokenizePiecesResponse(IReadOnlyList<TokenPiece> Tokens);

public sealed record DetokenizeResponse(string Content);
