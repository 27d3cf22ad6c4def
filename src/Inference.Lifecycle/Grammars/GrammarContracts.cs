using Inference.Storage.Data;

namespace Inference.Lifecycle.Grammars;

/// <summary>The body of <c>POST /grammars</c> and of <c>PUT /grammars/{name}</c> (whose name is the route's).</summary>
public sealed record GrammarRequest(string? Name, string? Description, string? Content);

public sealed record GrammarResponse(string Name, string Description, string Content, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static GrammarResponse From(StoredGrammar grammar) =>
        new(grammar.Name, grammar.Description, grammar.Content, grammar.CreatedAt, grammar.UpdatedAt);
}
