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
