namespace Inference.Onnx.Chat;

/// <summary>Keys the local engine reads from <c>ChatOptions.AdditionalProperties</c>.</summary>
public static class OnnxChatOptions
{
    /// <summary>When true, the messages' text is the whole prompt: no chat template is applied (OpenAI's /v1/completions).</summary>
    public const string RawPrompt = "raw_prompt";

    /// <summary>Hugging Face's repetition penalty (float, 1 = off).</summary>
    public const string RepetitionPenalty = "repetition_penalty";
}
