using Inference.Engines.Templates;

namespace InferenceAspire.TestSupport.Scripted;

/// <summary>
/// A test model that writes what it is told instead of sampling: random weights never think or call tools, so this
/// is how a reasoning or tool-call parser is driven end to end. It renders each prompt with a real chat format (the
/// model folder's own template), keeps the last prompt, and answers with <see cref="Script"/>'s text for it, in
/// pieces of <see cref="PieceLength"/> characters so that markup arrives split as tokens split it.
/// </summary>
public sealed class ScriptedModel : IDisposable
{
    public ScriptedModel(string id, ChatFormat? format, Func<string, string> script)
    {
        Id = id;
        Format = format;
        Script = script;
    }

    public string Id { get; }

    public ChatFormat? Format { get; }

    /// <summary>The raw output for a rendered prompt.</summary>
    public Func<string, string> Script { get; }

    public int PieceLength { get; init; } = 3;

    /// <summary>The text of the last prompt rendered.</summary>
    public string? LastPrompt { get; set; }

    public void Dispose()
    {
    }
}
