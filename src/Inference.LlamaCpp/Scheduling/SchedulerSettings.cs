namespace Inference.LlamaCpp.Scheduling;

/// <summary>The limits one model's scheduler runs under.</summary>
/// <param name="ContextLength">Tokens one sequence may hold, prompt and completion.</param>
/// <param name="PrefixEntries">Finished sequences kept for prefix reuse; 0 turns reuse off.</param>
internal sealed record SchedulerSettings(
    string Model,
    int MaxSequences,
    int ContextLength,
    int StepTokenBudget,
    int MaxQueuedRequests,
    int PrefixEntries);
