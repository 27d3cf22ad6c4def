using System.Runtime.CompilerServices;
using Inference.Engines;
using Inference.Engines.Structured;
using Inference.Engines.Templates;
using Microsoft.Extensions.AI;

namespace InferenceAspire.TestSupport.Scripted;

/// <summary>
/// The local engines' client (<see cref="LocalChatClient{TModel}"/>: the same prompt rendering, constraints, and
/// reading of reasoning and tool calls) over a <see cref="ScriptedModel"/>. A script that ends in
/// <see cref="CutMarker"/> is cut there, as a length limit would cut it.
/// </summary>
public sealed class ScriptedChatClient(ScriptedModel model)
    : LocalChatClient<ScriptedModel>(model, new ChatClientMetadata("scripted", null, model.Id), ownsModel: false)
{
    /// <summary>Ends a script that the length limit cuts.</summary>
    public const string CutMarker = "\u0000cut";

    public override ChatFormat? Format => Model.Format;

    protected override async IAsyncEnumerable<ChatResponseUpdate> GenerateAsync(
        StructuredOutput structured, ChatOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Model.LastPrompt = structured.Prompt.Text;
        var output = Model.Script(structured.Prompt.Text);
        var cut = output.EndsWith(CutMarker, StringComparison.Ordinal);
        output = cut ? output[..^CutMarker.Length] : output;
        var updates = new ChatUpdateFactory(Model.Id);
        var pieces = Enumerable.Range(0, (output.Length + Model.PieceLength - 1) / Model.PieceLength)
            .Select(i => output.Substring(i * Model.PieceLength, Math.Min(Model.PieceLength, output.Length - (i * Model.PieceLength))))
            .ToList();
        for (var i = 0; i < pieces.Count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return updates.Text(pieces[i]);
        }

        yield return updates.Finish("", cut ? ChatFinishReason.Length : ChatFinishReason.Stop, structured.Prompt.Text.Length, pieces.Count);
    }
}
