using System.Text;

namespace Inference.Engines.Structured;

/// <summary>
/// What a request's reasoning budget needs of an engine: the most tokens the model may reason, whether the prompt opened
/// the reasoning block, the markup that opens and closes it, and the token ids the engine writes to close it.
/// </summary>
/// <param name="Tokens">Tokens of reasoning allowed; 0 closes the block at once.</param>
public sealed record ReasoningBudgetPlan(int Tokens, bool Opened, string Open, string Close, int[] CloseIds)
{
    /// <summary>A new count for one generation.</summary>
    public ReasoningBudget Start() => new(this);
}

/// <summary>
/// Counts one generation's reasoning tokens and, once the budget is spent inside an unclosed reasoning block, makes the
/// engine write the closing markup itself (each of <see cref="ReasoningBudgetPlan.CloseIds"/> in turn), so that the
/// model goes on to answer. The block is recognised by its text, however the model spelled it in tokens; reasoning
/// that closes by itself in time is left alone.
/// </summary>
public sealed class ReasoningBudget
{
    private readonly ReasoningBudgetPlan _plan;
    private readonly byte[] _open;
    private readonly byte[] _close;
    private readonly List<byte> _text = [];
    private State _state;
    private int _forced;
    private int _spent;

    internal ReasoningBudget(ReasoningBudgetPlan plan)
    {
        _plan = plan;
        _open = Encoding.UTF8.GetBytes(plan.Open);
        _close = Encoding.UTF8.GetBytes(plan.Close.TrimEnd());
        _state = !plan.Opened ? State.Before : plan.Tokens <= 0 ? State.Closing : State.Inside;
    }

    private enum State
    {
        Before,
        Inside,
        Closing,
        After,
    }

    /// <summary>The token the engine must take next instead of sampling, while the block is being closed; else null.</summary>
    public int? Forced => _state == State.Closing ? _plan.CloseIds[_forced] : null;

    /// <summary>Takes the token chosen (or forced) at this step, with the bytes it stands for.</summary>
    public void Accept(int token, ReadOnlySpan<byte> bytes)
    {
        switch (_state)
        {
            case State.Before:
                // The output either begins with the opening markup or has no reasoning block.
                _text.AddRange(bytes);
                var length = Math.Min(_text.Count, _open.Length);
                if (!_open.AsSpan(0, length).SequenceEqual(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_text)[..length]))
                {
                    _state = State.After;
                }
                else if (_text.Count >= _open.Length)
                {
                    _text.Clear();
                    _state = _plan.Tokens <= 0 ? State.Closing : State.Inside;
                }

                return;
            case State.Inside:
                _spent++;
                _text.AddRange(bytes);
                if (_text.Count > 4 * _close.Length)
                {
                    _text.RemoveRange(0, _text.Count - (2 * _close.Length));
                }

                if (System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_text).IndexOf(_close) >= 0)
                {
                    _state = State.After;
                }
                else if (_spent >= _plan.Tokens)
                {
                    _state = State.Closing;
                }

                return;
            case State.Closing:
                if (++_forced == _plan.CloseIds.Length)
                {
                    _state = State.After;
                }

                return;
        }
    }
}
