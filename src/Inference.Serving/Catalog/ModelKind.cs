namespace Inference.Serving.Catalog;

public enum ModelKind
{
    Chat,
    Embedding,
}
