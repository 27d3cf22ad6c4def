namespace Inference.Engines.Tests;

public sealed class GbnfGrammarTests
{
    [Theory]
    [InlineData("root ::= \"yes\" | \"no\"", "yes", true)]
    [InlineData("root ::= \"yes\" | \"no\"", "no", true)]
    [InlineData("root ::= \"yes\" | \"no\"", "maybe", false)]
    [InlineData("root ::= \"yes\" | \"no\"", "ye", false)]
    [InlineData("root ::= [a-c]+ \"!\"", "abcab!", true)]
    [InlineData("root ::= [a-c]+ \"!\"", "!", false)]
    [InlineData("root ::= [^0-9]*", "abc def", true)]
    [InlineData("root ::= [^0-9]*", "ab1", false)]
    [InlineData("root ::= digit{2,3}\ndigit ::= [0-9]", "12", true)]
    [InlineData("root ::= digit{2,3}\ndigit ::= [0-9]", "1234", false)]
    [InlineData("root ::= digit{2,3}\ndigit ::= [0-9]", "1", false)]
    [InlineData("root ::= (\"ab\" | \"c\")* \".\"", "abcab.", true)]
    [InlineData("root ::= (\"ab\" | \"c\")* \".\"", "abca.", false)]
    [InlineData("root ::= \"a\" .? \"z\"", "a\u00e9z", true)]
    [InlineData("root ::= \"\\u00e9\\x41\\n\"", "\u00e9A\n", true)]
    [InlineData("# a comment\nroot ::= item (\",\" item)*   # trailing\nitem ::= \"x\"\n  | \"y\"", "x,y,x", true)]
    [InlineData("root ::= list\nlist ::= \"[\" (list | \"x\")? \"]\"", "[[[x]]]", true)]
    [InlineData("root ::= list\nlist ::= \"[\" (list | \"x\")? \"]\"", "[[x]", false)]
    public void Matches_the_language_it_describes(string gbnf, string text, bool expected)
    {
        var grammar = GbnfGrammar.Parse(gbnf);
        Assert.Equal(expected, grammar.Matches(text));

        // The canonical text describes the same language.
        Assert.Equal(expected, GbnfGrammar.Parse(grammar.Text).Matches(text));
    }

    [Theory]
    [InlineData("root ::= \"a", 1, 10, "never closed")]
    [InlineData("root ::= [a-", 1, 10, "never closed")]
    [InlineData("root := \"a\"", 1, 6, "expected '::='")]
    [InlineData("root ::= \"a\"\n\nother ::= missing", 3, 11, "'missing' is not defined")]
    [InlineData("item ::= \"a\"", 1, 1, "no 'root' rule")]
    [InlineData("root ::= root \"a\" | \"b\"", 1, 1, "left-recursive")]
    [InlineData("root ::= (\"a\" | \"b\"", 1, 10, "never closed")]
    [InlineData("root ::= \"a\" ) ", 1, 14, "unexpected ')'")]
    [InlineData("root ::= \"\\q\"", 1, 11, "unknown escape")]
    [InlineData("root ::= \"a\"{3,2}", 1, 10, "maximum below its minimum")]
    [InlineData("root ::= <[1000]>", 1, 10, "token references")]
    [InlineData("root ::= \"a\"\nroot ::= \"b\"", 2, 1, "more than once")]
    public void Reports_what_is_wrong_and_where(string gbnf, int line, int column, string reason)
    {
        var error = Assert.Throws<GrammarSyntaxException>(() => GbnfGrammar.Parse(gbnf));
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Fact]
    public void Canonical_text_escapes_what_llama_cpp_reads_differently()
    {
        var grammar = GbnfGrammar.Parse("root ::= [\\-\\]^a] \"q\\\"\\\\\" [^\\x00-\\x1F]");
        Assert.Equal("root ::= [\\x2D\\x5D\\x5Ea] \"q\\\"\\\\\" [^\\x00-\\x1F]\n", grammar.Text);
        Assert.True(grammar.Matches("-q\"\\z"));
        Assert.True(grammar.Matches("]q\"\\z"));
    }
}

public sealed class GrammarConstraintTests
{
    private static readonly byte[][] Vocabulary = [[], [0xC3], [0xA9], "é"u8.ToArray(), "e"u8.ToArray(), "ab"u8.ToArray(), "a"u8.ToArray(), "b"u8.ToArray()];

    private static readonly TokenTrie Trie = new(Vocabulary.Length, id => Vocabulary[id]);

    [Fact]
    public void A_character_may_be_written_in_two_tokens()
    {
        using var constraint = new GrammarConstraint(GbnfGrammar.Parse("root ::= \"é\" \"a\""), Trie, [0]);
        Assert.True(constraint.Allows(1));   // the lead byte of é
        Assert.True(constraint.Allows(3));   // é whole
        Assert.False(constraint.Allows(2));  // a continuation byte cannot start
        Assert.False(constraint.Allows(4));
        constraint.Accept(1);
        Assert.False(constraint.CanEnd);
        Assert.True(constraint.Allows(2));
        Assert.False(constraint.Allows(3));
        constraint.Accept(2);
        Assert.True(constraint.Allows(6));
        Assert.False(constraint.Allows(5));  // "ab" runs past the grammar
        constraint.Accept(6);
        Assert.True(constraint.IsClosed);
        Assert.True(constraint.Allows(0));
    }

    [Fact]
    public void A_half_character_the_grammar_cannot_complete_is_refused()
    {
        using var constraint = new GrammarConstraint(GbnfGrammar.Parse("root ::= [a-z]+"), Trie, [0]);
        Assert.False(constraint.Allows(1));
        var scores = new float[Vocabulary.Length];
        Assert.Equal(4, constraint.Mask(scores)); // e, ab, a, b
        Assert.Equal(float.NegativeInfinity, scores[1]);
        Assert.Equal(0f, scores[5]);
        Assert.Equal(float.NegativeInfinity, scores[0]); // not yet a whole match: no end
    }

    [Fact]
    public void A_grammar_no_token_can_continue_masks_everything()
    {
        using var constraint = new GrammarConstraint(GbnfGrammar.Parse("root ::= \"z\""), Trie, [0]);
        var scores = new float[Vocabulary.Length];
        Assert.Equal(0, constraint.Mask(scores));
        Assert.All(scores, s => Assert.Equal(float.NegativeInfinity, s));
    }

    [Fact]
    public void A_state_masked_again_gives_the_same_tokens_as_the_first_time()
    {
        // "a"* comes back to one state after each "a": the second mask there is remembered, and must be the same.
        var grammar = GbnfGrammar.Parse("root ::= (\"a\" | \"ab\")* \"!\"");
        using var looping = new GrammarConstraint(grammar, Trie, [0]);
        for (var step = 0; step < 4; step++)
        {
            using var fresh = new GrammarConstraint(grammar, Trie, [0]);
            for (var i = 0; i < step; i++)
            {
                fresh.Accept(6);
            }

            var remembered = new float[Vocabulary.Length];
            var computed = new float[Vocabulary.Length];
            Assert.Equal(fresh.Mask(computed), looping.Mask(remembered));
            Assert.Equal(computed, remembered);
            looping.Accept(6);
        }
    }
}
