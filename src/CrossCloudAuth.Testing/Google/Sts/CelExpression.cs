using System.Globalization;
using System.Text;

namespace CrossCloudAuth.Testing.Google.Sts;

/// <summary>An expression outside the supported CEL subset, or one that fails at evaluation.</summary>
internal sealed class CelException(string message) : Exception(message);

/// <summary>
/// The subset of CEL that workload identity attribute mappings and conditions use in practice: member access
/// (<c>assertion.arn</c>, <c>assertion['kubernetes.io']['namespace']</c>), string / number / boolean / null
/// literals, lists, <c>+</c>, <c>==</c>, <c>!=</c>, <c>in</c>, <c>&amp;&amp;</c>, <c>||</c>, <c>!</c>,
/// <c>?:</c>, parentheses, and the methods <c>contains</c>, <c>startsWith</c>, <c>endsWith</c>,
/// <c>extract</c> and <c>size</c>. Values are strings, booleans, doubles, lists and string-keyed maps.
/// </summary>
internal abstract class CelExpression
{
    public static CelExpression Parse(string text)
    {
        var parser = new Parser(text);
        CelExpression expression = parser.ParseExpression();
        parser.ExpectEnd();
        return expression;
    }

    public abstract object? Evaluate(IReadOnlyDictionary<string, object?> variables);

    public static bool IsTrue(object? value) => value is true;

    private sealed class Literal(object? value) : CelExpression
    {
        public override object? Evaluate(IReadOnlyDictionary<string, object?> variables) => value;
    }

    private sealed class ListLiteral(List<CelExpression> items) : CelExpression
    {
        public override object? Evaluate(IReadOnlyDictionary<string, object?> variables) => items.Select(i => i.Evaluate(variables)).ToList();
    }

    private sealed class Identifier(string name) : CelExpression
    {
        public override object? Evaluate(IReadOnlyDictionary<string, object?> variables) =>
            variables.TryGetValue(name, out object? value) ? value : throw new CelException($"undeclared reference to '{name}'");
    }

    private sealed class Member(CelExpression target, CelExpression key) : CelExpression
    {
        public override object? Evaluate(IReadOnlyDictionary<string, object?> variables)
        {
            object? container = target.Evaluate(variables);
            object? index = key.Evaluate(variables);
            return (container, index) switch
            {
                (IReadOnlyDictionary<string, object?> map, string name) => map.TryGetValue(name, out object? v) ? v : throw new CelException($"no such key: {name}"),
                (IReadOnlyList<object?> list, double d) when d >= 0 && d < list.Count => list[(int)d],
                _ => throw new CelException($"cannot index {Describe(container)} with {Describe(index)}"),
            };
        }
    }

    private sealed class Call(CelExpression target, string method, List<CelExpression> arguments) : CelExpression
    {
        public override object? Evaluate(IReadOnlyDictionary<string, object?> variables)
        {
            object? receiver = target.Evaluate(variables);
            object?[] args = [.. arguments.Select(a => a.Evaluate(variables))];
            return (method, receiver, args) switch
            {
                ("contains", string s, [string a]) => s.Contains(a, StringComparison.Ordinal),
                ("startsWith", string s, [string a]) => s.StartsWith(a, StringComparison.Ordinal),
                ("endsWith", string s, [string a]) => s.EndsWith(a, StringComparison.Ordinal),
                ("extract", string s, [string template]) => Extract(s, template),
                ("size", string s, []) => (double)s.Length,
                ("size", IReadOnlyList<object?> l, []) => (double)l.Count,
                _ => throw new CelException($"found no matching overload for '{method}' applied to {Describe(receiver)}"),
            };
        }

        private static string Extract(string value, string template)
        {
            int open = template.IndexOf('{', StringComparison.Ordinal);
            int close = template.IndexOf('}', StringComparison.Ordinal);
            if (open < 0 || close < open)
            {
                throw new CelException("extract() needs a template with one {variable}");
            }

            string prefix = template[..open];
            string suffix = template[(close + 1)..];
            int start = value.IndexOf(prefix, StringComparison.Ordinal);
            if (start < 0)
            {
                return string.Empty;
            }

            start += prefix.Length;
            int end = suffix.Length == 0 ? value.Length : value.IndexOf(suffix, start, StringComparison.Ordinal);
            return end < 0 ? string.Empty : value[start..end];
        }
    }

    private sealed class Unary(string op, CelExpression operand) : CelExpression
    {
        public override object? Evaluate(IReadOnlyDictionary<string, object?> variables) => (op, operand.Evaluate(variables)) switch
        {
            ("!", bool b) => !b,
            ("-", double d) => -d,
            (_, var v) => throw new CelException($"no such overload: {op}{Describe(v)}"),
        };
    }

    private sealed class Binary(string op, CelExpression left, CelExpression right) : CelExpression
    {
        public override object? Evaluate(IReadOnlyDictionary<string, object?> variables)
        {
            if (op is "&&" or "||")
            {
                object? l = left.Evaluate(variables);
                if (l is not bool lb)
                {
                    throw new CelException($"no such overload: {Describe(l)} {op} ...");
                }

                if (op == "&&" ? !lb : lb)
                {
                    return lb;
                }

                return right.Evaluate(variables) is bool rb ? rb : throw new CelException($"no such overload: bool {op} non-bool");
            }

            object? a = left.Evaluate(variables);
            object? b = right.Evaluate(variables);
            return op switch
            {
                "==" => Equal(a, b),
                "!=" => !Equal(a, b),
                "+" => (a, b) switch
                {
                    (string x, string y) => x + y,
                    (double x, double y) => x + y,
                    (IReadOnlyList<object?> x, IReadOnlyList<object?> y) => x.Concat(y).ToList(),
                    _ => throw new CelException($"no such overload: {Describe(a)} + {Describe(b)}"),
                },
                "in" => b switch
                {
                    IReadOnlyList<object?> list => list.Any(item => Equal(item, a)),
                    IReadOnlyDictionary<string, object?> map when a is string key => map.ContainsKey(key),
                    _ => throw new CelException($"no such overload: {Describe(a)} in {Describe(b)}"),
                },
                _ => throw new CelException($"unknown operator {op}"),
            };
        }

        private static bool Equal(object? a, object? b) => (a, b) switch
        {
            (null, null) => true,
            (string x, string y) => x == y,
            (double x, double y) => x.Equals(y),
            (bool x, bool y) => x == y,
            _ => false,
        };
    }

    private sealed class Conditional(CelExpression condition, CelExpression whenTrue, CelExpression whenFalse) : CelExpression
    {
        public override object? Evaluate(IReadOnlyDictionary<string, object?> variables) => condition.Evaluate(variables) switch
        {
            true => whenTrue.Evaluate(variables),
            false => whenFalse.Evaluate(variables),
            var v => throw new CelException($"ternary condition is {Describe(v)}, not bool"),
        };
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string => "string",
        bool => "bool",
        double => "double",
        IReadOnlyList<object?> => "list",
        IReadOnlyDictionary<string, object?> => "map",
        _ => value.GetType().Name,
    };

    private sealed class Parser(string text)
    {
        private int _position;

        public CelExpression ParseExpression()
        {
            CelExpression condition = ParseOr();
            if (TryConsume("?"))
            {
                CelExpression whenTrue = ParseExpression();
                Expect(":");
                CelExpression whenFalse = ParseExpression();
                return new Conditional(condition, whenTrue, whenFalse);
            }

            return condition;
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_position < text.Length)
            {
                throw Error("unexpected input");
            }
        }

        private CelExpression ParseOr()
        {
            CelExpression left = ParseAnd();
            while (TryConsume("||"))
            {
                left = new Binary("||", left, ParseAnd());
            }

            return left;
        }

        private CelExpression ParseAnd()
        {
            CelExpression left = ParseRelation();
            while (TryConsume("&&"))
            {
                left = new Binary("&&", left, ParseRelation());
            }

            return left;
        }

        private CelExpression ParseRelation()
        {
            CelExpression left = ParseAdditive();
            foreach (string op in new[] { "==", "!=" })
            {
                if (TryConsume(op))
                {
                    return new Binary(op, left, ParseAdditive());
                }
            }

            if (TryConsumeWord("in"))
            {
                return new Binary("in", left, ParseAdditive());
            }

            return left;
        }

        private CelExpression ParseAdditive()
        {
            CelExpression left = ParseUnary();
            while (TryConsume("+"))
            {
                left = new Binary("+", left, ParseUnary());
            }

            return left;
        }

        private CelExpression ParseUnary()
        {
            SkipSpace();
            if (Peek() == '!' && PeekAt(1) != '=')
            {
                _position++;
                return new Unary("!", ParseUnary());
            }

            if (Peek() == '-')
            {
                _position++;
                return new Unary("-", ParseUnary());
            }

            return ParsePostfix();
        }

        private CelExpression ParsePostfix()
        {
            CelExpression expression = ParsePrimary();
            while (true)
            {
                if (TryConsume("."))
                {
                    string name = ParseIdentifier();
                    if (TryConsume("("))
                    {
                        expression = new Call(expression, name, ParseArguments(")"));
                    }
                    else
                    {
                        expression = new Member(expression, new Literal(name));
                    }
                }
                else if (TryConsume("["))
                {
                    CelExpression index = ParseExpression();
                    Expect("]");
                    expression = new Member(expression, index);
                }
                else
                {
                    return expression;
                }
            }
        }

        private List<CelExpression> ParseArguments(string close)
        {
            var arguments = new List<CelExpression>();
            if (TryConsume(close))
            {
                return arguments;
            }

            do
            {
                arguments.Add(ParseExpression());
            }
            while (TryConsume(","));
            Expect(close);
            return arguments;
        }

        private CelExpression ParsePrimary()
        {
            SkipSpace();
            char c = Peek();
            if (c == '(')
            {
                _position++;
                CelExpression inner = ParseExpression();
                Expect(")");
                return inner;
            }

            if (c == '[')
            {
                _position++;
                return new ListLiteral(ParseArguments("]"));
            }

            if (c is '\'' or '"')
            {
                return new Literal(ParseString(c));
            }

            if (char.IsAsciiDigit(c))
            {
                int start = _position;
                while (_position < text.Length && (char.IsAsciiDigit(text[_position]) || text[_position] == '.'))
                {
                    _position++;
                }

                return new Literal(double.Parse(text[start.._position], CultureInfo.InvariantCulture));
            }

            string identifier = ParseIdentifier();
            return identifier switch
            {
                "true" => new Literal(true),
                "false" => new Literal(false),
                "null" => new Literal(null),
                _ => new Identifier(identifier),
            };
        }

        private string ParseString(char quote)
        {
            _position++;
            var builder = new StringBuilder();
            while (_position < text.Length && text[_position] != quote)
            {
                if (text[_position] == '\\' && _position + 1 < text.Length)
                {
                    _position++;
                }

                builder.Append(text[_position++]);
            }

            if (_position >= text.Length)
            {
                throw Error("unterminated string");
            }

            _position++;
            return builder.ToString();
        }

        private string ParseIdentifier()
        {
            SkipSpace();
            int start = _position;
            while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] == '_'))
            {
                _position++;
            }

            return _position > start ? text[start.._position] : throw Error("expected an identifier");
        }

        private bool TryConsume(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _position, token, 0, token.Length) == 0)
            {
                _position += token.Length;
                return true;
            }

            return false;
        }

        private bool TryConsumeWord(string word)
        {
            SkipSpace();
            int end = _position + word.Length;
            if (string.CompareOrdinal(text, _position, word, 0, word.Length) == 0 && (end >= text.Length || !char.IsAsciiLetterOrDigit(text[end])))
            {
                _position = end;
                return true;
            }

            return false;
        }

        private void Expect(string token)
        {
            if (!TryConsume(token))
            {
                throw Error($"expected '{token}'");
            }
        }

        private void SkipSpace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private char Peek() => _position < text.Length ? text[_position] : '\0';

        private char PeekAt(int offset) => _position + offset < text.Length ? text[_position + offset] : '\0';

        private CelException Error(string what) => new($"Syntax error in CEL expression \"{text}\" at {_position}: {what}.");
    }
}
