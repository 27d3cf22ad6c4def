namespace Inference.Engines;

/// <summary>What a model serves.</summary>
public enum ModelKind
{
    Chat,
    Embedding,

    /// <summary>Text classification (sequence classification: a label and its probability for a text).</summary>
    Classification,
}
