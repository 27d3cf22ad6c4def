namespace Inference;

/// <summary>
/// The chat request fields the platform takes beyond OpenAI's own (llama.cpp's and vLLM's names), spelled once: the
/// wire names of the HTTP APIs and the keys of <c>ChatOptions.AdditionalProperties</c> alike. Compiled into the engine
/// abstractions (which read them) and the client library (which sends them), so neither depends on the other.
/// </summary>
internal static class ExtraChatFields
{
    /// <summary>A GBNF grammar (string) the output must match.</summary>
    public const string Grammar = "grammar";

    /// <summary>Min-p sampling (float, 0 = off): tokens less likely than this share of the most likely one are dropped.</summary>
    public const string MinP = "min_p";

    /// <summary>Hugging Face's repetition penalty (float, 1 = off).</summary>
    public const string RepetitionPenalty = "repetition_penalty";

    /// <summary>When true, end-of-generation tokens do not end the completion: it runs to its token limit.</summary>
    public const string IgnoreEos = "ignore_eos";

    /// <summary>Top-k sampling, on the wire (MEAI has <c>ChatOptions.TopK</c>).</summary>
    public const string TopK = "top_k";

    /// <summary>When true, the messages' text is the whole prompt: no chat template is applied.</summary>
    public const string RawPrompt = "raw_prompt";

    /// <summary>How long the model stays loaded after this request (Ollama's keep_alive).</summary>
    public const string KeepAlive = "keep_alive";

    /// <summary>Whether the prompt ends by opening the assistant's turn (bool, default true), vLLM's field.</summary>
    public const string AddGenerationPrompt = "add_generation_prompt";

    /// <summary>Variables for the model's chat template (an object, e.g. <c>{"enable_thinking": false}</c>), vLLM's field.</summary>
    public const string ChatTemplateKwargs = "chat_template_kwargs";

    /// <summary>Tokens the model may spend reasoning before its reasoning block is closed for it (int; -1 = no limit), llama.cpp's name.</summary>
    public const string ReasoningBudget = "reasoning_budget";
}
