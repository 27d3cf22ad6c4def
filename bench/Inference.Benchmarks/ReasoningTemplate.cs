namespace Inference.Benchmarks;

/// <summary>ChatML whose generation prompt opens a think block: every token of the answer goes through the reasoning parser.</summary>
internal static class ReasoningTemplate
{
    public const string Text =
        "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n<think>\n{% endif %}";
}
