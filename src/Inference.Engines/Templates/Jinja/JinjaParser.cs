using System.Globalization;

namespace Inference.Engines.Templates.Jinja;

/// <summary>Jinja2's grammar, as much of it as chat templates use: statements and Python-style expressions.</summary>
internal sealed class JinjaParser
{
    private static readonly HashSet<string> Comparisons = ["==", "!=", "<", ">", "<=", ">="];
    private static readonly HashSet<string> NotArgumentNames = ["and", "or", "else", "if", "in", "is", "not"];
    private readonly List<Token> _tokens;
    private int _position;

    private JinjaParser(List<Token> tokens) => _tokens = tokens;

    public static List<Node> Parse(string source)
    {
        var parser = new JinjaParser(JinjaLexer.Tokenize(source));
        var body = parser.Statements(out var stop);
        if (stop is not null)
        {
            throw new JinjaException($"unexpected '{stop}'", parser.Current.Line);
        }

        return body;
    }

    private Token Current => _tokens[_position];

    private Token Next() => _tokens[_position++];

    private bool IsOperator(string op) => Current.Kind == TokenKind.Operator && Current.Value == op;

    private bool IsName(string name) => Current.Kind == TokenKind.Name && Current.Value == name;

    private void Expect(string op)
    {
        if (!IsOperator(op))
        {
            throw new JinjaException($"expected '{op}', found '{Describe(Current)}'", Current.Line);
        }

        _position++;
    }

    private void ExpectName(string name)
    {
        if (!IsName(name))
        {
            throw new JinjaException($"expected '{name}', found '{Describe(Current)}'", Current.Line);
        }

        _position++;
    }

    private void ExpectBlockEnd()
    {
        if (Current.Kind != TokenKind.BlockEnd)
        {
            throw new JinjaException($"expected the end of the tag, found '{Describe(Current)}'", Current.Line);
        }

        _position++;
    }

    private string Identifier()
    {
        if (Current.Kind != TokenKind.Name)
        {
            throw new JinjaException($"expected a name, found '{Describe(Current)}'", Current.Line);
        }

        return Next().Value;
    }

    private static string Describe(Token token) => token.Kind switch
    {
        TokenKind.End => "end of template",
        TokenKind.BlockEnd => "%}",
        TokenKind.VariableEnd => "}}",
        _ => token.Value,
    };

    /// <summary>Statements up to a block tag this level does not own (returned in <paramref name="stop"/>: endif, else...).</summary>
    private List<Node> Statements(out string? stop)
    {
        var nodes = new List<Node>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.End:
                    stop = null;
                    return nodes;
                case TokenKind.Text:
                    _position++;
                    nodes.Add(new TextNode(token.Value, token.Line));
                    break;
                case TokenKind.VariableStart:
                    _position++;
                    nodes.Add(new OutputNode(Expression(), token.Line));
                    if (Current.Kind != TokenKind.VariableEnd)
                    {
                        throw new JinjaException($"expected '}}}}', found '{Describe(Current)}'", Current.Line);
                    }

                    _position++;
                    break;
                case TokenKind.BlockStart:
                    var keyword = _tokens[_position + 1];
                    if (keyword.Kind == TokenKind.Name && keyword.Value is "endif" or "else" or "elif" or "endfor" or "endset" or "endmacro"
                        or "endfilter" or "endgeneration" or "endcall")
                    {
                        stop = keyword.Value;
                        return nodes;
                    }

                    _position += 2;
                    nodes.Add(Statement(keyword));
                    break;
                default:
                    throw new JinjaException($"unexpected '{Describe(token)}'", token.Line);
            }
        }
    }

    private List<Node> Body(string end, out string stop, params string[] alternatives)
    {
        var body = Statements(out var found);
        if (found is null || (found != end && !alternatives.Contains(found)))
        {
            var line = found is null ? Current.Line : _tokens[_position + 1].Line;
            throw new JinjaException($"expected '{end}', found '{found ?? "end of template"}'", line);
        }

        stop = found;
        _position += 2;
        return body;
    }

    private Node Statement(Token keyword)
    {
        switch (keyword.Value)
        {
            case "if":
                return If(keyword.Line);
            case "for":
                return For(keyword.Line);
            case "set":
                return Set(keyword.Line);
            case "macro":
                return Macro(keyword.Line);
            case "filter":
                return FilterBlock(keyword.Line);
            case "call":
                var call = Expression();
                ExpectBlockEnd();
                var callBody = Body("endcall", out _);
                ExpectBlockEnd();
                return new CallBlockNode(call, callBody, keyword.Line);
            case "break" or "continue":
                ExpectBlockEnd();
                return new LoopControlNode(keyword.Value == "break", keyword.Line);
            case "generation":
                // transformers' assistant-mask extension: its body renders as it is.
                ExpectBlockEnd();
                var generation = Body("endgeneration", out _);
                ExpectBlockEnd();
                return new IfNode([(new LiteralExpr(true, keyword.Line), generation)], null, keyword.Line);
            default:
                throw new JinjaException($"unknown tag '{keyword.Value}'", keyword.Line);
        }
    }

    private IfNode If(int line)
    {
        var branches = new List<(Expr, List<Node>)>();
        var condition = Expression();
        ExpectBlockEnd();
        while (true)
        {
            var body = Body("endif", out var stop, "elif", "else");
            branches.Add((condition, body));
            if (stop == "endif")
            {
                ExpectBlockEnd();
                return new IfNode(branches, null, line);
            }

            if (stop == "else")
            {
                ExpectBlockEnd();
                var otherwise = Body("endif", out _);
                ExpectBlockEnd();
                return new IfNode(branches, otherwise, line);
            }

            condition = Expression();
            ExpectBlockEnd();
        }
    }

    private ForNode For(int line)
    {
        var targets = Targets();
        ExpectName("in");
        var iterable = OrExpression();
        Expr? filter = null;
        if (IsName("if"))
        {
            _position++;
            filter = OrExpression();
        }

        if (IsName("recursive"))
        {
            throw new JinjaException("recursive loops are not supported", line);
        }

        ExpectBlockEnd();
        var body = Body("endfor", out var stop, "else");
        List<Node>? otherwise = null;
        ExpectBlockEnd();
        if (stop == "else")
        {
            otherwise = Body("endfor", out _);
            ExpectBlockEnd();
        }

        return new ForNode(targets, iterable, filter, body, otherwise, line);
    }

    private List<string> Targets()
    {
        var parenthesised = IsOperator("(");
        if (parenthesised)
        {
            _position++;
        }

        var names = new List<string> { Identifier() };
        while (IsOperator(","))
        {
            _position++;
            if (Current.Kind != TokenKind.Name)
            {
                break;
            }

            names.Add(Identifier());
        }

        if (parenthesised)
        {
            Expect(")");
        }

        return names;
    }

    private SetNode Set(int line)
    {
        var first = Identifier();
        string? attribute = null;
        List<string> targets = [first];
        if (IsOperator("."))
        {
            _position++;
            attribute = Identifier();
        }
        else
        {
            while (IsOperator(","))
            {
                _position++;
                targets.Add(Identifier());
            }
        }

        if (IsOperator("="))
        {
            _position++;
            var value = TupleOrExpression();
            ExpectBlockEnd();
            return new SetNode(targets, attribute, value, null, line);
        }

        // A block set: {% set name %}...{% endset %}, optionally filtered.
        var filters = new List<(string, List<Expr>, List<(string, Expr)>)>();
        while (IsOperator("|"))
        {
            _position++;
            filters.Add(FilterCall());
        }

        ExpectBlockEnd();
        var body = Body("endset", out _);
        ExpectBlockEnd();
        return new SetNode(targets, attribute, null, filters.Count == 0 ? body : [new FilterBlockNode(filters, body, line)], line);
    }

    private MacroNode Macro(int line)
    {
        var name = Identifier();
        Expect("(");
        var parameters = new List<(string, Expr?)>();
        while (!IsOperator(")"))
        {
            var parameter = Identifier();
            Expr? fallback = null;
            if (IsOperator("="))
            {
                _position++;
                fallback = Expression();
            }

            parameters.Add((parameter, fallback));
            if (!IsOperator(","))
            {
                break;
            }

            _position++;
        }

        Expect(")");
        ExpectBlockEnd();
        var body = Body("endmacro", out _);
        ExpectBlockEnd();
        return new MacroNode(name, parameters, body, line);
    }

    private FilterBlockNode FilterBlock(int line)
    {
        var filters = new List<(string, List<Expr>, List<(string, Expr)>)> { FilterCall() };
        while (IsOperator("|"))
        {
            _position++;
            filters.Add(FilterCall());
        }

        ExpectBlockEnd();
        var body = Body("endfilter", out _);
        ExpectBlockEnd();
        return new FilterBlockNode(filters, body, line);
    }

    private (string Name, List<Expr> Args, List<(string, Expr)> Kwargs) FilterCall()
    {
        var name = QualifiedName();
        var args = new List<Expr>();
        var kwargs = new List<(string, Expr)>();
        if (IsOperator("("))
        {
            Arguments(args, kwargs);
        }

        return (name, args, kwargs);
    }

    private string QualifiedName()
    {
        var name = Identifier();
        while (IsOperator("."))
        {
            _position++;
            name += "." + Identifier();
        }

        return name;
    }

    /// <summary>An expression, or a tuple of them without parentheses (<c>{% set a, b = 1, 2 %}</c>).</summary>
    private Expr TupleOrExpression()
    {
        var line = Current.Line;
        var first = Expression();
        if (!IsOperator(","))
        {
            return first;
        }

        var items = new List<Expr> { first };
        while (IsOperator(","))
        {
            _position++;
            if (Current.Kind == TokenKind.BlockEnd)
            {
                break;
            }

            items.Add(Expression());
        }

        return new ListExpr(items, Tuple: true, line);
    }

    public Expr Expression()
    {
        var line = Current.Line;
        var value = OrExpression();
        if (!IsName("if"))
        {
            return value;
        }

        _position++;
        var condition = OrExpression();
        Expr? otherwise = null;
        if (IsName("else"))
        {
            _position++;
            otherwise = Expression();
        }

        return new ConditionalExpr(condition, value, otherwise, line);
    }

    private Expr OrExpression()
    {
        var left = AndExpression();
        while (IsName("or"))
        {
            var line = Next().Line;
            left = new BinaryExpr("or", left, AndExpression(), line);
        }

        return left;
    }

    private Expr AndExpression()
    {
        var left = NotExpression();
        while (IsName("and"))
        {
            var line = Next().Line;
            left = new BinaryExpr("and", left, NotExpression(), line);
        }

        return left;
    }

    private Expr NotExpression()
    {
        if (IsName("not"))
        {
            var line = Next().Line;
            return new UnaryExpr("not", NotExpression(), line);
        }

        return Comparison();
    }

    private Expr Comparison()
    {
        var left = Sum();
        while (true)
        {
            var line = Current.Line;
            if (Current.Kind == TokenKind.Operator && Comparisons.Contains(Current.Value))
            {
                var op = Next().Value;
                left = new BinaryExpr(op, left, Sum(), line);
            }
            else if (IsName("in"))
            {
                _position++;
                left = new BinaryExpr("in", left, Sum(), line);
            }
            else if (IsName("not") && _tokens[_position + 1] is { Kind: TokenKind.Name, Value: "in" })
            {
                _position += 2;
                left = new BinaryExpr("not in", left, Sum(), line);
            }
            else
            {
                return left;
            }
        }
    }

    private Expr Sum()
    {
        var left = Concat();
        while (IsOperator("+") || IsOperator("-"))
        {
            var token = Next();
            left = new BinaryExpr(token.Value, left, Concat(), token.Line);
        }

        return left;
    }

    private Expr Concat()
    {
        var left = Product();
        while (IsOperator("~"))
        {
            var line = Next().Line;
            left = new BinaryExpr("~", left, Product(), line);
        }

        return left;
    }

    private Expr Product()
    {
        var left = Power();
        while (IsOperator("*") || IsOperator("/") || IsOperator("//") || IsOperator("%"))
        {
            var token = Next();
            left = new BinaryExpr(token.Value, left, Power(), token.Line);
        }

        return left;
    }

    private Expr Power()
    {
        var left = Unary(withFilters: true);
        while (IsOperator("**"))
        {
            var line = Next().Line;
            left = new BinaryExpr("**", left, Unary(withFilters: true), line);
        }

        return left;
    }

    private Expr Unary(bool withFilters)
    {
        Expr node;
        if (IsOperator("-") || IsOperator("+"))
        {
            var token = Next();
            node = new UnaryExpr(token.Value, Unary(withFilters: false), token.Line);
        }
        else
        {
            node = Postfix(Primary());
        }

        return withFilters ? FiltersAndTests(node) : node;
    }

    private Expr Primary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new LiteralExpr(true, token.Line),
                    "false" or "False" => new LiteralExpr(false, token.Line),
                    "none" or "None" => new LiteralExpr(null, token.Line),
                    _ => new NameExpr(token.Value, token.Line),
                };
            case TokenKind.String:
                var text = token.Value;
                while (Current.Kind == TokenKind.String)
                {
                    text += Next().Value;
                }

                return new LiteralExpr(text, token.Line);
            case TokenKind.Integer:
                return new LiteralExpr(long.Parse(token.Value, CultureInfo.InvariantCulture), token.Line);
            case TokenKind.Float:
                return new LiteralExpr(double.Parse(token.Value, CultureInfo.InvariantCulture), token.Line);
            case TokenKind.Operator when token.Value == "(":
                if (IsOperator(")"))
                {
                    _position++;
                    return new ListExpr([], Tuple: true, token.Line);
                }

                var first = Expression();
                if (!IsOperator(","))
                {
                    Expect(")");
                    return first;
                }

                var items = new List<Expr> { first };
                while (IsOperator(","))
                {
                    _position++;
                    if (IsOperator(")"))
                    {
                        break;
                    }

                    items.Add(Expression());
                }

                Expect(")");
                return new ListExpr(items, Tuple: true, token.Line);
            case TokenKind.Operator when token.Value == "[":
                var list = new List<Expr>();
                while (!IsOperator("]"))
                {
                    list.Add(Expression());
                    if (!IsOperator(","))
                    {
                        break;
                    }

                    _position++;
                }

                Expect("]");
                return new ListExpr(list, Tuple: false, token.Line);
            case TokenKind.Operator when token.Value == "{":
                var pairs = new List<(Expr, Expr)>();
                while (!IsOperator("}"))
                {
                    var key = Expression();
                    Expect(":");
                    pairs.Add((key, Expression()));
                    if (!IsOperator(","))
                    {
                        break;
                    }

                    _position++;
                }

                Expect("}");
                return new DictExpr(pairs, token.Line);
            default:
                throw new JinjaException($"unexpected '{Describe(token)}'", token.Line);
        }
    }

    private Expr Postfix(Expr node)
    {
        while (true)
        {
            var line = Current.Line;
            if (IsOperator("."))
            {
                _position++;
                if (Current.Kind == TokenKind.Integer)
                {
                    node = new IndexExpr(node, new LiteralExpr(long.Parse(Next().Value, CultureInfo.InvariantCulture), line), line);
                    continue;
                }

                node = new AttributeExpr(node, Identifier(), line);
            }
            else if (IsOperator("["))
            {
                _position++;
                node = Subscript(node, line);
            }
            else if (IsOperator("("))
            {
                var args = new List<Expr>();
                var kwargs = new List<(string, Expr)>();
                Arguments(args, kwargs);
                node = new CallExpr(node, args, kwargs, line);
            }
            else
            {
                return node;
            }
        }
    }

    private Expr Subscript(Expr target, int line)
    {
        Expr? start = null, stop = null, step = null;
        if (!IsOperator(":"))
        {
            start = Expression();
            if (IsOperator("]"))
            {
                _position++;
                return new IndexExpr(target, start, line);
            }
        }

        Expect(":");
        if (!IsOperator("]") && !IsOperator(":"))
        {
            stop = Expression();
        }

        if (IsOperator(":"))
        {
            _position++;
            if (!IsOperator("]"))
            {
                step = Expression();
            }
        }

        Expect("]");
        return new SliceExpr(target, start, stop, step, line);
    }

    private void Arguments(List<Expr> args, List<(string, Expr)> kwargs)
    {
        Expect("(");
        while (!IsOperator(")"))
        {
            if (IsOperator("*") || IsOperator("**"))
            {
                var keywords = Next().Value == "**";
                var spread = new SpreadExpr(Expression(), Current.Line);
                if (keywords)
                {
                    kwargs.Add(("**", spread));
                }
                else
                {
                    args.Add(spread);
                }
            }
            else if (Current.Kind == TokenKind.Name && _tokens[_position + 1] is { Kind: TokenKind.Operator, Value: "=" })
            {
                var name = Next().Value;
                _position++;
                kwargs.Add((name, Expression()));
            }
            else
            {
                args.Add(Expression());
            }

            if (!IsOperator(","))
            {
                break;
            }

            _position++;
        }

        Expect(")");
    }

    private Expr FiltersAndTests(Expr node)
    {
        while (true)
        {
            var line = Current.Line;
            if (IsOperator("|"))
            {
                _position++;
                var (name, args, kwargs) = FilterCall();
                node = new FilterExpr(node, name, args, kwargs, line);
            }
            else if (IsName("is"))
            {
                _position++;
                var negated = false;
                if (IsName("not"))
                {
                    _position++;
                    negated = true;
                }

                var name = QualifiedName();
                var args = new List<Expr>();
                if (IsOperator("("))
                {
                    var kwargs = new List<(string, Expr)>();
                    Arguments(args, kwargs);
                }
                else if (Current.Kind is TokenKind.String or TokenKind.Integer or TokenKind.Float
                    || (Current.Kind == TokenKind.Name && !NotArgumentNames.Contains(Current.Value))
                    || IsOperator("[") || IsOperator("{"))
                {
                    args.Add(Postfix(Primary()));
                }

                node = new TestExpr(node, name, negated, args, line);
            }
            else
            {
                return node;
            }
        }
    }
}
