namespace Inference.LlamaCpp.Scheduling;

/// <summary>A run of cells computed by one sequence, identified by reference.</summary>
internal sealed class KvBlock
{
    public int Length { get; set; }
}
