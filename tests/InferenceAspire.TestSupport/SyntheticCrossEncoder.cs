namespace InferenceAspire.TestSupport;

/// <summary>
/// A small random-weight cross-encoder (a BertForSequenceClassification with one output) with all-MiniLM-L6-v2's
/// vocabulary, and the logits PyTorch computes for its reference pairs (<c>reference.json</c>): made with
/// <c>tests/tools/make-cross-encoder.py</c> on first use into <c>artifacts/cross-encoder</c>, again when the script changes.
/// </summary>
public static class SyntheticCrossEncoder
{
    private const string Name = "ms-marco-2l-random";
    private static readonly Lazy<string> Made = new(Make);

    /// <summary>The model folder (config.json, tokenizer, onnx/model.onnx, reference.json).</summary>
    public static string Folder => Made.Value;

    private static string Make() => Path.Combine(
        SyntheticModels.MadeByScript(
            "cross-encoder",
            "make-cross-encoder.py",
            [Path.Combine(Name, "reference.json")],
            (script, directory) =>
            {
                var tokenizer = Path.Combine(SyntheticModels.SharedTools(SyntheticModels.RepositoryRoot()), "..", "models", "all-MiniLM-L6-v2-tokenizer");
                SyntheticModels.Python(script, Path.GetFullPath(tokenizer), Path.Combine(directory, Name));
            }),
        Name);
}
