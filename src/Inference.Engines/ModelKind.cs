namespace Inference.Engines;

/// <summary>What a model serves.</summary>
public enum ModelKind
{
    Chat,
    Embedding,
}
