namespace Inference.Engines.Grammars;

/// <summary>A piece of a GBNF rule's body, as written.</summary>
internal abstract record GbnfNode;

/// <summary>A quoted literal: its characters as code points.</summary>
internal sealed record GbnfLiteral(int[] CodePoints) : GbnfNode;

/// <summary>A character class, <c>[a-z_]</c> or negated <c>[^"\\]</c>: inclusive code point ranges.</summary>
internal sealed record GbnfClass(bool Negated, (int Low, int High)[] Ranges) : GbnfNode;

/// <summary><c>.</c>: any one character.</summary>
internal sealed record GbnfAny : GbnfNode;

/// <summary>A reference to a rule by name, with where it was written (for an undefined rule's error).</summary>
internal sealed record GbnfRef(string Name, int Line, int Column) : GbnfNode;

/// <summary>Alternatives, each a sequence: a rule's body or a parenthesised group.</summary>
internal sealed record GbnfChoice(IReadOnlyList<IReadOnlyList<GbnfNode>> Alternatives) : GbnfNode;

/// <summary><c>x*</c>, <c>x+</c>, <c>x?</c>, <c>x{m}</c>, <c>x{m,}</c>, <c>x{m,n}</c>; <see cref="Max"/> is null when unbounded.</summary>
internal sealed record GbnfRepeat(GbnfNode Item, int Min, int? Max) : GbnfNode;

/// <summary>A rule: <c>name ::= body</c>.</summary>
internal sealed record GbnfRule(string Name, GbnfChoice Body, int Line, int Column);
