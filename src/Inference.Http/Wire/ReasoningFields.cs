using System.Text.Json;
using Inference.Serving;
using Inference.Serving.Requests;
using Microsoft.Extensions.AI;

namespace Inference.Http;

/// <summary>
/// The fields that reach a model's chat template and its reasoning: OpenAI's <c>reasoning_effort</c>, vLLM's
/// <c>chat_template_kwargs</c> and <c>add_generation_prompt</c>, llama.cpp's <c>reasoning_budget</c>, and Ollama's
/// <c>think</c> (true, false, or an effort), read into <see cref="ChatOptions"/>.
/// </summary>
public static class ReasoningFields
{
    /// <summary>Reads the OpenAI-style fields; the error names the field at fault.</summary>
    public static InferenceError? Read(ChatOptions options, string? reasoningEffort, JsonElement? templateKwargs, bool? addGenerationPrompt, int? reasoningBudget)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (reasoningEffort is not null)
        {
            if (Effort(reasoningEffort) is not { } effort)
            {
                return InferenceError.Invalid($"reasoning_effort '{reasoningEffort}' is not one of: none, minimal, low, medium, high.", "reasoning_effort", "invalid_value");
            }

            options.Reasoning = new ReasoningOptions { Effort = effort };
        }

        switch (templateKwargs)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                break;
            case { ValueKind: JsonValueKind.Object } kwargs:
                (options.AdditionalProperties ??= [])[Inference.Engines.EngineChatOptions.TemplateVariables] = kwargs.Clone();
                break;
            default:
                return InferenceError.Invalid("chat_template_kwargs must be an object of the template's variables.", "chat_template_kwargs");
        }

        if (addGenerationPrompt is bool add)
        {
            (options.AdditionalProperties ??= [])[Inference.Engines.EngineChatOptions.AddGenerationPrompt] = add;
        }

        if (reasoningBudget is int budget)
        {
            if (budget < -1)
            {
                return InferenceError.Invalid("reasoning_budget must be -1 (no limit), 0 (no reasoning) or a number of tokens.", "reasoning_budget");
            }

            (options.AdditionalProperties ??= [])[Inference.Engines.EngineChatOptions.ReasoningBudget] = budget;
        }

        return null;
    }

    /// <summary>Ollama's <c>think</c>: true or false, or an effort (low, medium, high) for models that take one.</summary>
    public static InferenceError? ReadThink(ChatOptions options, JsonElement? think)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (think)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return null;
            case { ValueKind: JsonValueKind.True }:
                options.Reasoning = new ReasoningOptions { Output = ReasoningOutput.Full };
                return null;
            case { ValueKind: JsonValueKind.False }:
                options.Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None };
                return null;
            case { ValueKind: JsonValueKind.String } level when level.GetString() is "low" or "medium" or "high":
                options.Reasoning = new ReasoningOptions { Effort = Effort(level.GetString()!) };
                return null;
            default:
                return InferenceError.Invalid("think must be true, false, or one of: low, medium, high.", "think", "invalid_value");
        }
    }

    private static ReasoningEffort? Effort(string effort) => effort switch
    {
        "none" => ReasoningEffort.None,
        "minimal" or "low" => ReasoningEffort.Low,
        "medium" => ReasoningEffort.Medium,
        "high" => ReasoningEffort.High,
        _ => null,
    };
}
