namespace Inference.Engines;

/// <summary>Keys every local engine reads from <c>ChatOptions.AdditionalProperties</c>, beyond MEAI's own options.</summary>
public static class EngineChatOptions
{
    /// <summary>When true, the messages' text is the whole prompt: no chat template is applied (OpenAI's /v1/completions).</summary>
    public const string RawPrompt = ExtraChatFields.RawPrompt;

    /// <summary>How long the model stays loaded after this request (a <see cref="TimeSpan"/>; negative: until unloaded by hand), Ollama's keep_alive.</summary>
    public const string KeepAlive = ExtraChatFields.KeepAlive;

    /// <summary>Hugging Face's repetition penalty (float, 1 = off).</summary>
    public const string RepetitionPenalty = ExtraChatFields.RepetitionPenalty;

    /// <summary>When true, end-of-generation tokens do not end the completion: it runs to its token limit (benchmarks, llama.cpp's ignore_eos).</summary>
    public const string IgnoreEos = ExtraChatFields.IgnoreEos;

    /// <summary>Min-p sampling (float, 0 = off): tokens less likely than this share of the most likely one are dropped.</summary>
    public const string MinP = ExtraChatFields.MinP;

    /// <summary>A GBNF grammar (string) the output must match; every local engine enforces it while decoding.</summary>
    public const string Grammar = ExtraChatFields.Grammar;

    /// <summary>Whether the prompt ends by opening the assistant's turn (bool, default true).</summary>
    public const string AddGenerationPrompt = ExtraChatFields.AddGenerationPrompt;

    /// <summary>Variables for the model's chat template: an <c>IReadOnlyDictionary&lt;string, object?&gt;</c> or a JSON object.</summary>
    public const string TemplateVariables = ExtraChatFields.ChatTemplateKwargs;

    /// <summary>Tokens the model may spend reasoning before its reasoning block is closed for it (int; negative = no limit).</summary>
    public const string ReasoningBudget = ExtraChatFields.ReasoningBudget;
}
