using System.Collections;
using System.Text;

namespace Inference.Engines.Templates.Jinja;

/// <summary>Walks a parsed template with Jinja2's scoping: a <c>for</c> body and a macro body have their own scope.</summary>
internal sealed partial class JinjaRenderer
{
    private readonly List<Dictionary<string, object?>> _scopes = [];
    private readonly JinjaEnvironment _environment;
    private int _loopDepth;

    public JinjaRenderer(JinjaEnvironment environment, IReadOnlyDictionary<string, object?> variables)
    {
        _environment = environment;
        _scopes.Add(new Dictionary<string, object?>(environment.Globals, StringComparer.Ordinal));
        _scopes.Add(new Dictionary<string, object?>(variables, StringComparer.Ordinal));
    }

    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    public string Render(List<Node> nodes)
    {
        var output = new StringBuilder();
        Execute(nodes, output);
        return output.ToString();
    }

    private Flow Execute(List<Node> nodes, StringBuilder output)
    {
        foreach (var node in nodes)
        {
            var flow = Execute(node, output);
            if (flow != Flow.Normal)
            {
                return flow;
            }
        }

        return Flow.Normal;
    }

    private Flow Execute(Node node, StringBuilder output)
    {
        try
        {
            switch (node)
            {
                case TextNode text:
                    output.Append(text.Text);
                    return Flow.Normal;
                case OutputNode value:
                    output.Append(PythonText.Str(Evaluate(value.Value)));
                    return Flow.Normal;
                case IfNode branch:
                    foreach (var (condition, body) in branch.Branches)
                    {
                        if (Py.Truthy(Evaluate(condition)))
                        {
                            return Execute(body, output);
                        }
                    }

                    return branch.Else is null ? Flow.Normal : Execute(branch.Else, output);
                case ForNode loop:
                    ExecuteFor(loop, output);
                    return Flow.Normal;
                case SetNode set:
                    ExecuteSet(set);
                    return Flow.Normal;
                case MacroNode macro:
                    Assign(macro.Name, DefineMacro(macro));
                    return Flow.Normal;
                case FilterBlockNode filter:
                    object? rendered = Capture(filter.Body);
                    foreach (var (name, args, kwargs) in filter.Filters)
                    {
                        rendered = ApplyFilter(name, rendered, [.. args.Select(Evaluate)], Keywords(kwargs), filter.Line);
                    }

                    output.Append(PythonText.Str(rendered));
                    return Flow.Normal;
                case CallBlockNode call:
                    output.Append(PythonText.Str(CallWithCaller(call)));
                    return Flow.Normal;
                case LoopControlNode control:
                    if (_loopDepth == 0)
                    {
                        throw new JinjaException(control.Break ? "'break' outside a loop" : "'continue' outside a loop", control.Line);
                    }

                    return control.Break ? Flow.Break : Flow.Continue;
                default:
                    throw new JinjaException($"cannot render {node.GetType().Name}", node.Line);
            }
        }
        catch (JinjaException ex) when (ex.Line == 0 && ex is not JinjaRaisedException)
        {
            throw new JinjaException(ex.Message, node.Line);
        }
    }

    private string Capture(List<Node> body)
    {
        var inner = new StringBuilder();
        Execute(body, inner);
        return inner.ToString();
    }

    private void ExecuteFor(ForNode loop, StringBuilder output)
    {
        // An undefined iterable is empty, as Jinja's default Undefined is.
        var items = Py.Iterate(Evaluate(loop.Iterable));
        if (loop.Filter is not null)
        {
            var kept = new List<object?>();
            foreach (var item in items)
            {
                _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal));
                Bind(loop.Targets, item, _scopes[^1]);
                if (Py.Truthy(Evaluate(loop.Filter)))
                {
                    kept.Add(item);
                }

                _scopes.RemoveAt(_scopes.Count - 1);
            }

            items = kept;
        }

        if (items.Count == 0)
        {
            if (loop.Else is not null)
            {
                Execute(loop.Else, output);
            }

            return;
        }

        var info = new JinjaLoop(items, _loopDepth + 1);
        _loopDepth++;
        try
        {
            for (var i = 0; i < items.Count; i++)
            {
                info.Index0 = i;
                var scope = new Dictionary<string, object?>(StringComparer.Ordinal) { ["loop"] = info };
                Bind(loop.Targets, items[i], scope);
                _scopes.Add(scope);
                var flow = Execute(loop.Body, output);
                _scopes.RemoveAt(_scopes.Count - 1);
                if (flow == Flow.Break)
                {
                    break;
                }
            }
        }
        finally
        {
            _loopDepth--;
        }
    }

    private static void Bind(List<string> targets, object? item, Dictionary<string, object?> scope)
    {
        if (targets.Count == 1)
        {
            scope[targets[0]] = item;
            return;
        }

        var parts = Py.Iterate(item);
        if (parts.Count != targets.Count)
        {
            throw new JinjaException($"cannot unpack {parts.Count} values into {targets.Count} names");
        }

        for (var i = 0; i < targets.Count; i++)
        {
            scope[targets[i]] = parts[i];
        }
    }

    private void ExecuteSet(SetNode set)
    {
        var value = set.Body is not null ? Capture(set.Body) : Evaluate(set.Value!);
        if (set.Attribute is not null)
        {
            if (Lookup(set.Targets[0]) is not JinjaNamespace ns)
            {
                throw new JinjaException($"cannot assign attribute on non-namespace object '{set.Targets[0]}'");
            }

            ns.Attributes[set.Attribute] = value;
            return;
        }

        if (set.Targets.Count == 1)
        {
            Assign(set.Targets[0], value);
            return;
        }

        var parts = Py.Iterate(value);
        if (parts.Count != set.Targets.Count)
        {
            throw new JinjaException($"cannot unpack {parts.Count} values into {set.Targets.Count} names");
        }

        for (var i = 0; i < parts.Count; i++)
        {
            Assign(set.Targets[i], parts[i]);
        }
    }

    private void Assign(string name, object? value) => _scopes[^1][name] = value;

    private object? Lookup(string name)
    {
        for (var i = _scopes.Count - 1; i >= 0; i--)
        {
            if (_scopes[i].TryGetValue(name, out var value))
            {
                return value;
            }
        }

        return new JinjaUndefined(name);
    }

    private JinjaCallable DefineMacro(MacroNode macro)
    {
        // A macro sees the scopes where it was defined, as they are when it is called.
        var closure = _scopes.ToList();
        return new JinjaCallable(macro.Name, (args, kwargs) =>
        {
            var scope = new Dictionary<string, object?>(StringComparer.Ordinal);
            var saved = _scopes.ToList();
            _scopes.Clear();
            _scopes.AddRange(closure);
            _scopes.Add(scope);
            var depth = _loopDepth;
            _loopDepth = 0;
            try
            {
                for (var i = 0; i < macro.Parameters.Count; i++)
                {
                    var (name, fallback) = macro.Parameters[i];
                    scope[name] = i < args.Count ? args[i]
                        : kwargs.TryGetValue(name, out var named) ? named
                        : fallback is not null ? Evaluate(fallback)
                        : new JinjaUndefined(name);
                }

                scope["varargs"] = args.Skip(macro.Parameters.Count).ToList();
                var extra = new JinjaDict();
                foreach (var (key, value) in kwargs.Where(k => macro.Parameters.All(p => p.Name != k.Key)))
                {
                    extra[key] = value;
                }

                scope["kwargs"] = extra;
                if (kwargs.TryGetValue("caller", out var caller))
                {
                    scope["caller"] = caller;
                }

                return Capture(macro.Body);
            }
            finally
            {
                _scopes.Clear();
                _scopes.AddRange(saved);
                _loopDepth = depth;
            }
        });
    }

    private object? CallWithCaller(CallBlockNode call)
    {
        if (call.Call is not CallExpr { } expression)
        {
            throw new JinjaException("a call block needs a macro call");
        }

        // The body runs in the scopes of the call block, not of the macro that calls it back.
        var body = call.Body;
        var closure = _scopes.ToList();
        var caller = new JinjaCallable("caller", (_, _) =>
        {
            var saved = _scopes.ToList();
            _scopes.Clear();
            _scopes.AddRange(closure);
            _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal));
            try
            {
                return Capture(body);
            }
            finally
            {
                _scopes.Clear();
                _scopes.AddRange(saved);
            }
        });
        var target = Evaluate(expression.Target);
        var kwargs = Keywords(expression.Kwargs);
        kwargs["caller"] = caller;
        return Invoke(target, Positional(expression.Args), kwargs);
    }

    private Dictionary<string, object?> Keywords(List<(string Name, Expr Value)> kwargs)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in kwargs)
        {
            if (value is SpreadExpr spread)
            {
                if (Evaluate(spread.Value) is not JinjaDict mapping)
                {
                    throw new JinjaException("argument after ** must be a mapping", spread.Line);
                }

                foreach (var (key, item) in mapping)
                {
                    values[PythonText.Str(key)] = item;
                }
            }
            else
            {
                values[name] = Evaluate(value);
            }
        }

        return values;
    }

    /// <summary>A call's positional arguments, with <c>*items</c> spread into them.</summary>
    private List<object?> Positional(List<Expr> args)
    {
        var values = new List<object?>(args.Count);
        foreach (var arg in args)
        {
            if (arg is SpreadExpr spread)
            {
                values.AddRange(Py.Iterate(Evaluate(spread.Value)));
            }
            else
            {
                values.Add(Evaluate(arg));
            }
        }

        return values;
    }

    private static object? Invoke(object? target, IReadOnlyList<object?> args, IReadOnlyDictionary<string, object?> kwargs) => target switch
    {
        JinjaCallable callable => callable.Call(args, kwargs),
        JinjaUndefined undefined => throw new JinjaException(undefined.Message),
        _ => throw new JinjaException($"'{Py.TypeName(target)}' object is not callable"),
    };

    private object? Evaluate(Expr expression)
    {
        switch (expression)
        {
            case LiteralExpr literal:
                return literal.Value;
            case NameExpr name:
                return Lookup(name.Name);
            case ListExpr list:
                var items = list.Items.Select(Evaluate);
                return list.Tuple ? new JinjaTuple(items) : items.ToList();
            case DictExpr dict:
                var result = new JinjaDict();
                foreach (var (key, value) in dict.Items)
                {
                    result[Evaluate(key) ?? throw new JinjaException("a dict key cannot be None")] = Evaluate(value);
                }

                return result;
            case AttributeExpr attribute:
                return GetAttribute(Evaluate(attribute.Target), attribute.Name);
            case IndexExpr index:
                return GetItem(Evaluate(index.Target), Evaluate(index.Index));
            case SliceExpr slice:
                return Slice(Evaluate(slice.Target), Optional(slice.Start), Optional(slice.Stop), Optional(slice.Step));
            case CallExpr call:
                return Invoke(Evaluate(call.Target), Positional(call.Args), Keywords(call.Kwargs));
            case FilterExpr filter:
                return ApplyFilter(filter.Name, Evaluate(filter.Target), [.. filter.Args.Select(Evaluate)], Keywords(filter.Kwargs), filter.Line);
            case TestExpr test:
                var passed = ApplyTest(test.Name, Evaluate(test.Target), [.. test.Args.Select(Evaluate)]);
                return test.Negated ? !passed : passed;
            case UnaryExpr unary:
                return Unary(unary.Operator, Evaluate(unary.Operand));
            case BinaryExpr { Operator: "and" } and:
                var left = Evaluate(and.Left);
                return Py.Truthy(left) ? Evaluate(and.Right) : left;
            case BinaryExpr { Operator: "or" } or:
                var first = Evaluate(or.Left);
                return Py.Truthy(first) ? first : Evaluate(or.Right);
            case BinaryExpr binary:
                return Binary(binary.Operator, Evaluate(binary.Left), Evaluate(binary.Right));
            case ConditionalExpr conditional:
                return Py.Truthy(Evaluate(conditional.Condition)) ? Evaluate(conditional.Then)
                    : conditional.Else is null ? new JinjaUndefined("else") : Evaluate(conditional.Else);
            default:
                throw new JinjaException($"cannot evaluate {expression.GetType().Name}", expression.Line);
        }
    }

    private long? Optional(Expr? expression) => expression is null ? null : Evaluate(expression) switch
    {
        null => null,
        long l => l,
        bool b => b ? 1 : 0,
        var other => throw new JinjaException($"slice indices must be integers, not {Py.TypeName(other)}"),
    };

    private static object? Unary(string op, object? value) => op switch
    {
        "not" => !Py.Truthy(value),
        "-" => value switch
        {
            long l => (object)(-l),
            double d => -d,
            bool b => b ? -1L : 0L,
            _ => throw new JinjaException($"bad operand type for unary -: '{Py.TypeName(value)}'"),
        },
        _ => value,
    };

    private static object? Binary(string op, object? left, object? right)
    {
        switch (op)
        {
            case "==":
                return Py.Equals(left, right);
            case "!=":
                return !Py.Equals(left, right);
            case "<":
                return Py.Compare(left, right) < 0;
            case ">":
                return Py.Compare(left, right) > 0;
            case "<=":
                return Py.Compare(left, right) <= 0;
            case ">=":
                return Py.Compare(left, right) >= 0;
            case "in":
                return Contains(right, left);
            case "not in":
                return !Contains(right, left);
            case "~":
                return PythonText.Str(left) + PythonText.Str(right);
        }

        if (op == "+" && left is string s && right is string t)
        {
            return s + t;
        }

        if (op == "+" && left is IList l && right is IList m)
        {
            var joined = l.Cast<object?>().Concat(m.Cast<object?>());
            return left is JinjaTuple ? new JinjaTuple(joined) : joined.ToList();
        }

        if (op == "*" && (left is string || right is string) && (left is long || right is long))
        {
            var text = left as string ?? (string)right!;
            var times = (long)(left is long ? left : right)!;
            return times <= 0 ? "" : string.Concat(Enumerable.Repeat(text, (int)times));
        }

        if (op == "%" && left is string format)
        {
            return PercentFormat(format, right);
        }

        if ((left as JinjaUndefined ?? right as JinjaUndefined) is { } undefined)
        {
            throw new JinjaException(undefined.Message);
        }

        if (op == "+" && (left is string || left is IList) && !Py.IsNumber(left))
        {
            var kind = left is string ? "str" : Py.TypeName(left);
            throw new JinjaException($"can only concatenate {kind} (not \"{Py.TypeName(right)}\") to {kind}");
        }

        if (!Py.IsNumber(left) || !Py.IsNumber(right))
        {
            throw new JinjaException($"unsupported operand type(s) for {op}: '{Py.TypeName(left)}' and '{Py.TypeName(right)}'");
        }

        if (left is double || right is double || op == "/")
        {
            var x = Py.ToDouble(left);
            var y = Py.ToDouble(right);
            return op switch
            {
                "+" => x + y,
                "-" => x - y,
                "*" => x * y,
                "/" => y == 0 ? throw new JinjaException("division by zero") : x / y,
                "//" => y == 0 ? throw new JinjaException("float floor division by zero") : Math.Floor(x / y),
                "%" => y == 0 ? throw new JinjaException("float modulo") : x - (y * Math.Floor(x / y)),
                "**" => Math.Pow(x, y),
                _ => throw new JinjaException($"unknown operator {op}"),
            };
        }

        var a = left is bool ba ? (ba ? 1L : 0L) : (long)left!;
        var b = right is bool bb ? (bb ? 1L : 0L) : (long)right!;
        return op switch
        {
            "+" => (object)(a + b),
            "-" => a - b,
            "*" => a * b,
            "//" => b == 0 ? throw new JinjaException("integer division or modulo by zero") : FloorDivide(a, b),
            "%" => b == 0 ? throw new JinjaException("integer division or modulo by zero") : a - (b * FloorDivide(a, b)),
            "**" => b >= 0 ? (object)(long)Math.Pow(a, b) : Math.Pow(a, b),
            _ => throw new JinjaException($"unknown operator {op}"),
        };
    }

    private static long FloorDivide(long a, long b)
    {
        var q = a / b;
        return (a % b != 0) && ((a < 0) ^ (b < 0)) ? q - 1 : q;
    }

    /// <summary>Python's <c>in</c>: a substring, a list's item, a dict's key.</summary>
    private static bool Contains(object? container, object? item) => container switch
    {
        string s => item is string t ? s.Contains(t, StringComparison.Ordinal) : throw new JinjaException($"'in <string>' requires string as left operand, not {Py.TypeName(item)}"),
        JinjaDict d => item is not null && d.ContainsKey(item),
        IList l => l.Cast<object?>().Any(x => Py.Equals(x, item)),
        JinjaUndefined => false,
        _ => throw new JinjaException($"argument of type '{Py.TypeName(container)}' is not iterable"),
    };

    /// <summary>Python's <c>'%s' % value</c> for the conversions templates use (%s, %d, %r, %%).</summary>
    private static string PercentFormat(string format, object? values)
    {
        var args = values is JinjaTuple tuple ? (IReadOnlyList<object?>)tuple : [values];
        var output = new StringBuilder();
        var next = 0;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                output.Append(format[i]);
                continue;
            }

            var conversion = format[++i];
            if (conversion == '%')
            {
                output.Append('%');
                continue;
            }

            var arg = next < args.Count ? args[next++] : throw new JinjaException("not enough arguments for format string");
            output.Append(conversion switch
            {
                's' => PythonText.Str(arg),
                'r' => PythonText.Repr(arg),
                'd' or 'i' => ((long)Py.ToDouble(arg)).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => throw new JinjaException($"unsupported format character '{conversion}'"),
            });
        }

        return output.ToString();
    }
}
