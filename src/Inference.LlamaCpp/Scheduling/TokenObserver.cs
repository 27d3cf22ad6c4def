namespace Inference.LlamaCpp.Scheduling;

/// <summary>Sees each token a sequence chooses and the logits it was chosen from (tests compare them with references).</summary>
internal delegate void TokenObserver(int token, ReadOnlySpan<float> logits);
