namespace Inference.LlamaCpp.Gguf;

/// <summary>A long metadata array (a vocabulary, merges, scores): its element type and length, not its values.</summary>
public sealed record GgufArray(uint ElementType, long Count);
