using System.Globalization;
using System.Text;

namespace GraphCast.Formats.Npy;

/// <summary>The header dictionary of a .npy file (<c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>): parsing and numpy's exact formatting.</summary>
/// <remarks>
/// The header is a Python literal that numpy reads with <c>ast.literal_eval</c>; this parser accepts the subset
/// numpy writes (a dict of str keys; str, bool, int and tuple/list values), plus Python 2's <c>3L</c> ints.
/// </remarks>
internal sealed record NpyHeader(string Descr, bool FortranOrder, long[] Shape)
{
    /// <summary>numpy's <c>GROWTH_AXIS_MAX_DIGITS</c>: spare spaces so a header can be rewritten in place as the first axis grows.</summary>
    private const int GrowthAxisMaxDigits = 21;

    /// <summary>The header text exactly as numpy's <c>_write_array_header</c> builds it, before alignment padding.</summary>
    public string Format()
    {
        // Keys are sorted, values are Python reprs, every pair ends in ", " (numpy's trailing-comma style).
        var text = new StringBuilder();
        text.Append("{'descr': '").Append(Descr).Append("', 'fortran_order': ")
            .Append(FortranOrder ? "True" : "False")
            .Append(", 'shape': ").Append(NpyArray.FormatShape(Shape)).Append(", }");
        if (Shape.Length > 0)
        {
            long growthAxis = Shape[FortranOrder ? ^1 : 0];
            text.Append(' ', Math.Max(0, GrowthAxisMaxDigits - growthAxis.ToString(CultureInfo.InvariantCulture).Length));
        }

        return text.ToString();
    }

    /// <summary>Parses a header; <paramref name="source"/> names the file or entry in error messages.</summary>
    public static NpyHeader Parse(string text, string source)
    {
        object? literal;
        try
        {
            var parser = new PythonLiteralParser(text);
            literal = parser.ParseValue();
            parser.ExpectEnd();
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{source}: the .npy header is not a Python dict literal ({e.Message}): {Abbreviate(text)}", e);
        }

        if (literal is not Dictionary<string, object?> dict)
        {
            throw new InvalidDataException($"{source}: the .npy header is not a dict: {Abbreviate(text)}");
        }

        if (dict.Count != 3 || !dict.ContainsKey("descr") || !dict.ContainsKey("fortran_order") || !dict.ContainsKey("shape"))
        {
            throw new InvalidDataException(
                $"{source}: the .npy header must have exactly the keys 'descr', 'fortran_order' and 'shape'; it has {string.Join(", ", dict.Keys.Order(StringComparer.Ordinal).Select(k => $"'{k}'"))}.");
        }

        if (dict["descr"] is not string descr)
        {
            // A list descr is a structured (record) dtype: numpy writes [('name', '<f4'), ...].
            throw new InvalidDataException(
                $"{source}: the array has a structured dtype ({Abbreviate(text)}); only plain numeric and unicode arrays are supported — save each field as its own array.");
        }

        if (dict["fortran_order"] is not bool fortranOrder)
        {
            throw new InvalidDataException($"{source}: 'fortran_order' in the .npy header is not True or False.");
        }

        if (dict["shape"] is not PythonTuple { Items: var items } || items.Any(i => i is not long n || n < 0))
        {
            throw new InvalidDataException($"{source}: 'shape' in the .npy header is not a tuple of non-negative ints: {Abbreviate(text)}");
        }

        return new NpyHeader(descr, fortranOrder, items.Select(i => (long)i!).ToArray());
    }

    private static string Abbreviate(string text)
    {
        string trimmed = text.TrimEnd();
        return trimmed.Length <= 200 ? trimmed : trimmed[..200] + "…";
    }

    /// <summary>A Python tuple literal (kept apart from lists: numpy's shape is always a tuple).</summary>
    private sealed record PythonTuple(List<object?> Items);

    /// <summary>Recursive descent over the Python literal subset that numpy headers use.</summary>
    private sealed class PythonLiteralParser(string text)
    {
        private int _position;

        public object? ParseValue()
        {
            SkipWhitespace();
            if (_position >= text.Length)
            {
                throw new FormatException("unexpected end of header");
            }

            char c = text[_position];
            return c switch
            {
                '{' => ParseDict(),
                '(' => new PythonTuple(ParseSequence(')', allowSingleWithoutComma: false)),
                '[' => ParseSequence(']', allowSingleWithoutComma: true),
                '\'' or '"' => ParseString(),
                _ when c == '-' || char.IsAsciiDigit(c) => ParseInteger(),
                _ => ParseName(),
            };
        }

        public void ExpectEnd()
        {
            SkipWhitespace();
            if (_position != text.Length)
            {
                throw new FormatException($"unexpected '{text[_position]}' at offset {_position}");
            }
        }

        private Dictionary<string, object?> ParseDict()
        {
            Expect('{');
            var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
            while (true)
            {
                SkipWhitespace();
                if (TryConsume('}'))
                {
                    return dict;
                }

                if (ParseValue() is not string key)
                {
                    throw new FormatException("a dict key is not a string");
                }

                SkipWhitespace();
                Expect(':');
                if (!dict.TryAdd(key, ParseValue()))
                {
                    throw new FormatException($"duplicate key '{key}'");
                }

                SkipWhitespace();
                if (!TryConsume(','))
                {
                    SkipWhitespace();
                    Expect('}');
                    return dict;
                }
            }
        }

        private List<object?> ParseSequence(char close, bool allowSingleWithoutComma)
        {
            _position++;
            var items = new List<object?>();
            bool sawComma = false;
            while (true)
            {
                SkipWhitespace();
                if (TryConsume(close))
                {
                    break;
                }

                items.Add(ParseValue());
                SkipWhitespace();
                if (TryConsume(','))
                {
                    sawComma = true;
                    continue;
                }

                SkipWhitespace();
                Expect(close);
                break;
            }

            // "(3)" is the int 3 in Python, not a tuple; numpy always writes "(3,)".
            if (items.Count == 1 && !sawComma && !allowSingleWithoutComma)
            {
                throw new FormatException("a parenthesised single value without a trailing comma is not a tuple");
            }

            return items;
        }

        private string ParseString()
        {
            char quote = text[_position++];
            var value = new StringBuilder();
            while (_position < text.Length && text[_position] != quote)
            {
                char c = text[_position++];
                if (c == '\\' && _position < text.Length)
                {
                    c = text[_position++];
                }

                value.Append(c);
            }

            Expect(quote);
            return value.ToString();
        }

        private long ParseInteger()
        {
            int start = _position;
            if (text[_position] == '-')
            {
                _position++;
            }

            while (_position < text.Length && char.IsAsciiDigit(text[_position]))
            {
                _position++;
            }

            if (!long.TryParse(text.AsSpan(start, _position - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                throw new FormatException($"'{text[start.._position]}' is not a 64-bit integer");
            }

            // Headers written by Python 2 may carry long-integer suffixes ("(3L, 4L)"); numpy strips them too.
            if (_position < text.Length && text[_position] is 'L' or 'l')
            {
                _position++;
            }

            return value;
        }

        private object? ParseName()
        {
            int start = _position;
            while (_position < text.Length && char.IsAsciiLetter(text[_position]))
            {
                _position++;
            }

            return text[start.._position] switch
            {
                "True" => true,
                "False" => false,
                "None" => null,
                var name => throw new FormatException($"unexpected '{(name.Length > 0 ? name : text[start].ToString())}' at offset {start}"),
            };
        }

        private void SkipWhitespace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private bool TryConsume(char c)
        {
            if (_position < text.Length && text[_position] == c)
            {
                _position++;
                return true;
            }

            return false;
        }

        private void Expect(char c)
        {
            if (!TryConsume(c))
            {
                throw new FormatException(_position < text.Length
                    ? $"expected '{c}' at offset {_position}, found '{text[_position]}'"
                    : $"expected '{c}' at the end of the header");
            }
        }
    }
}
