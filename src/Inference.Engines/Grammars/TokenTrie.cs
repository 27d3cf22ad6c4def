namespace Inference.Engines.Grammars;

/// <summary>
/// A model's vocabulary as a trie over each token's bytes, built once per model: finding every token a grammar allows
/// walks it depth first, so tokens sharing a rejected prefix are rejected together instead of one by one.
/// Tokens with no bytes (control tokens) are not in it.
/// </summary>
public sealed class TokenTrie
{
    // Node n's edges are _edgeBytes/_edgeTargets[_firstEdge[n] .. _firstEdge[n + 1]); its tokens _tokens[_firstToken[n] .. _firstToken[n + 1]).
    private readonly int[] _firstEdge;
    private readonly byte[] _edgeBytes;
    private readonly int[] _edgeTargets;
    private readonly int[] _firstToken;
    private readonly int[] _tokens;
    private readonly byte[][] _bytes;

    public TokenTrie(int vocabularySize, Func<int, byte[]> tokenBytes)
    {
        ArgumentNullException.ThrowIfNull(tokenBytes);
        VocabularySize = vocabularySize;
        _bytes = new byte[vocabularySize][];
        var root = new BuildNode();
        var nodes = 1;
        for (var id = 0; id < vocabularySize; id++)
        {
            var bytes = _bytes[id] = tokenBytes(id);
            if (bytes.Length == 0)
            {
                continue;
            }

            var node = root;
            foreach (var b in bytes)
            {
                node.Children ??= [];
                if (!node.Children.TryGetValue(b, out var child))
                {
                    node.Children[b] = child = new BuildNode();
                    nodes++;
                }

                node = child;
            }

            (node.Tokens ??= []).Add(id);
        }

        // Flatten breadth first into arrays: compact, and no object per node to chase while matching.
        _firstEdge = new int[nodes + 1];
        _edgeBytes = new byte[nodes - 1];
        _edgeTargets = new int[nodes - 1];
        _firstToken = new int[nodes + 1];
        var tokens = new List<int>(vocabularySize);
        var queue = new Queue<BuildNode>();
        queue.Enqueue(root);
        var index = 0;
        var edge = 0;
        var next = 1;
        while (queue.TryDequeue(out var node))
        {
            _firstEdge[index] = edge;
            _firstToken[index] = tokens.Count;
            if (node.Tokens is { } ids)
            {
                tokens.AddRange(ids);
            }

            if (node.Children is { } children)
            {
                foreach (var (b, child) in children.OrderBy(c => c.Key))
                {
                    _edgeBytes[edge] = b;
                    _edgeTargets[edge++] = next++;
                    queue.Enqueue(child);
                }
            }

            index++;
        }

        _firstEdge[nodes] = edge;
        _firstToken[nodes] = tokens.Count;
        _tokens = [.. tokens];
        NodeCount = nodes;
    }

    public int VocabularySize { get; }

    public int NodeCount { get; }

    internal ReadOnlySpan<byte> Bytes(int token) => (uint)token < (uint)_bytes.Length ? _bytes[token] : [];

    internal int EdgeStart(int node) => _firstEdge[node];

    internal int EdgeEnd(int node) => _firstEdge[node + 1];

    internal byte EdgeByte(int edge) => _edgeBytes[edge];

    internal int EdgeTarget(int edge) => _edgeTargets[edge];

    internal ReadOnlySpan<int> TokensAt(int node) => _tokens.AsSpan(_firstToken[node], _firstToken[node + 1] - _firstToken[node]);

    private sealed class BuildNode
    {
        public Dictionary<byte, BuildNode>? Children;
        public List<int>? Tokens;
    }
}
