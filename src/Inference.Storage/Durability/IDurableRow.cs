namespace Inference.Storage.Durability;

/// <summary>A row of a <see cref="DurableQueue{T}"/>: its id, made where it happened, tells whether it was written already.</summary>
public interface IDurableRow
{
    Guid Id { get; }
}
