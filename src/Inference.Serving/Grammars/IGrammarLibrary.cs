namespace Inference.Serving.Grammars;

/// <summary>Stored GBNF grammars that requests may name instead of sending the text.</summary>
public interface IGrammarLibrary
{
    /// <summary>The grammar's GBNF, or null when no grammar has that name.</summary>
    Task<string?> FindAsync(string name, CancellationToken cancellationToken);
}
