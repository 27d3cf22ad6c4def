namespace InferenceAspire.TestSupport;

/// <summary>
/// Two-layer random-weight Llama-shaped models with a real model's vocabulary, tokenizer and chat template (Qwen 3's,
/// GPT-OSS's and Gemma 3's, from the shared model folders), as ONNX folders and GGUF files whose tokenizer metadata and
/// <c>tokenizer.chat_template</c> are the real model's: made with <c>tests/tools/make-real-vocab-models.py</c> (and the
/// shared tools) on first use into <c>artifacts/real-vocab-models</c>, under the same lock as the synthetic SmolLM2.
/// </summary>
public static class RealVocabularyModels
{
    private static readonly Lazy<string> Made = new(Make);

    /// <summary>The ONNX folder of <paramref name="family"/> (qwen3, gpt-oss or gemma3).</summary>
    public static string OnnxFolder(string family) => Path.Combine(Made.Value, $"{family}-2l-random");

    /// <summary>The GGUF file of <paramref name="family"/> (qwen3, gpt-oss or gemma3).</summary>
    public static string GgufFile(string family) => Path.Combine(Made.Value, $"{family}-2l-random-gguf", $"{family}.F32.gguf");

    private static string Make() => SyntheticModels.MadeByScript(
        "real-vocab-models",
        "make-real-vocab-models.py",
        [Path.Combine("gpt-oss-2l-random-gguf", "gpt-oss.F32.gguf"), Path.Combine("qwen3-2l-random-gguf", "qwen3.F32.gguf"), Path.Combine("gemma3-2l-random-gguf", "gemma3.F32.gguf")],
        (script, directory) =>
        {
            var tools = SyntheticModels.SharedTools(SyntheticModels.RepositoryRoot());
            SyntheticModels.Python(script, Path.Combine(tools, "..", "models"), tools, directory, "qwen3", "gpt-oss", "gemma3");
        });
}
