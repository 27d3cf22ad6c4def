namespace Inference.Engines.Structured;

/// <summary>
/// What a request's reasoning budget needs of an engine: the most tokens the model may reason, whether the prompt opened
/// the reasoning block, and the token ids that open and close it in the model's vocabulary.
/// </summary>
/// <param name="Tokens">Tokens of reasoning allowed; 0 closes the block at once.</param>
public sealed record ReasoningBudgetPlan(int Tokens, bool Opened, int[] Open, int[] Close)
{
    /// <summary>A new count for one generation.</summary>
    public ReasoningBudget Start() => new(this);
}

/// <summary>
/// Counts one generation's reasoning tokens and, once the budget is spent inside an unclosed reasoning block, makes the
/// engine write the closing markup itself (each of <see cref="ReasoningBudgetPlan.Close"/>'s tokens in turn), so that
/// the model goes on to answer. Reasoning that closes by itself in time is left alone.
/// </summary>
public sealed class ReasoningBudget
{
    private readonly ReasoningBudgetPlan _plan;
    private State _state;
    private int _matched;
    private int _spent;

    internal ReasoningBudget(ReasoningBudgetPlan plan)
    {
        _plan = plan;
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
    public int? Forced => _state == State.Closing ? _plan.Close[_matched] : null;

    /// <summary>Takes the token chosen (or forced) at this step.</summary>
    public void Accept(int token)
    {
        switch (_state)
        {
            case State.Before:
                if (token != _plan.Open[_matched])
                {
                    _state = State.After;
                    return;
                }

                if (++_matched == _plan.Open.Length)
                {
                    _matched = 0;
                    _state = _plan.Tokens <= 0 ? State.Closing : State.Inside;
                }

                return;
            case State.Inside:
                _spent++;
                _matched = token == _plan.Close[_matched] ? _matched + 1 : token == _plan.Close[0] ? 1 : 0;
                if (_matched == _plan.Close.Length)
                {
                    _state = State.After;
                }
                else if (_spent >= _plan.Tokens)
                {
                    // Spent: close it from where a closing tag the model began left off.
                    _state = State.Closing;
                }

                return;
            case State.Closing:
                if (++_matched == _plan.Close.Length)
                {
                    _state = State.After;
                }

                return;
        }
    }
}
