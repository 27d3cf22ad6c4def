using Inference.Serving.Catalog;

namespace Inference.Serving.Routing;

/// <summary>Where one request goes: the entry chosen for it, the name and version that stands for, and what to fall back to.</summary>
/// <param name="Requested">The request's <c>model</c> as sent.</param>
/// <param name="Name">The model name (without version) the entry serves.</param>
/// <param name="Experiment">The deployment or A/B test that chose the entry, if one did.</param>
/// <param name="Arm">Its side: stable / canary, a / b.</param>
public sealed record RouteDecision(
    string Requested,
    ServedModel Model,
    string Name,
    string? Version,
    string? Experiment,
    string? Arm,
    IReadOnlyList<ServedModel> Fallbacks);
