using Annotate.Annotators.Builtin;

namespace Annotate.Annotators.KeyValues;

/// <summary>A label and its value inside one line of tokens, as token ranges; an empty value range is a label waiting for its value.</summary>
internal readonly record struct LineSpan(int LabelFrom, int LabelTo, int ValueFrom, int ValueTo, bool Colon)
{
    public bool LabelOnly => ValueFrom >= ValueTo;
}

/// <summary>
/// Finds labels and values in one line of words: <c>Invoice number: 100482  Date: 15.03.2024</c>, <c>Facture n° : F-17</c>,
/// <c>Rechnungsnummer 2024-0117</c>, <c>Total 1,190.00 EUR</c>, or a line that is only a label (<c>Bill to:</c>). Works on
/// whitespace-free tokens (the words of a line, or a PDF line's words), so it never backtracks over text.
/// </summary>
internal static class LabelLine
{
    public const int MaxLabelWords = 6;
    public const int MaxLabelChars = 60;
    public const int MaxValueWords = 16;

    /// <summary>Most tokens of one line looked at; the rest of a longer line is prose, not a form.</summary>
    public const int MaxTokens = 200;

    /// <summary>Single words that are titles more often than labels: <c>INVOICE</c> at the top of a page labels nothing below it.</summary>
    private static readonly HashSet<string> TitleWords = new(StringComparer.Ordinal)
    {
        "invoice", "rechnung", "facture", "order", "commande", "customer", "client", "bestellung", "auftrag", "summe", "net", "tax", "from", "terms", "objet",
    };

    public static List<LineSpan> Find(IReadOnlyList<string> tokens)
    {
        var count = Math.Min(tokens.Count, MaxTokens);
        var spans = new List<LineSpan>();
        var minLabelStart = 0;
        for (var k = 0; k < count; k++)
        {
            var token = tokens[k];
            if (!EndsLabel(token))
            {
                continue;
            }
            var labelTo = token == ":" ? k : k + 1;
            var runStart = labelTo;
            while (runStart > minLabelStart && labelTo - runStart < MaxLabelWords && IsLabelWord(tokens[runStart - 1], runStart - 1 == k))
            {
                runStart--;
            }
            if (runStart == labelTo)
            {
                continue;
            }
            int labelFrom;
            if (labelTo - runStart == MaxLabelWords && runStart > minLabelStart && IsLabelWord(tokens[runStart - 1], last: false))
            {
                // The words go on before the longest label: the colon ends a sentence ("The following values of arch are
                // accepted:"), not a label, unless the sentence ends with a key's name ("… to our account IBAN:").
                if (AliasStart(tokens, runStart, labelTo, labelTo) is not { } alias)
                {
                    continue;
                }
                labelFrom = alias;
            }
            else
            {
                labelFrom = spans.Count == 0 ? runStart : ChooseStart(tokens, runStart, labelTo);
            }
            var label = Join(tokens, labelFrom, labelTo);
            if (label.Length > MaxLabelChars || !TextCounting.HasLetter(label))
            {
                continue;
            }
            if (spans.Count > 0)
            {
                var previous = spans[^1];
                spans[^1] = previous with { ValueTo = labelFrom };
            }
            spans.Add(new LineSpan(labelFrom, labelTo, k + 1, count, Colon: true));
            minLabelStart = k + 2;
        }
        if (spans.Count > 0)
        {
            // A value running on past a few words is a sentence after a colon, not a field.
            return spans.Select(s => EndAtSeparator(tokens, s)).Where(s => s.ValueTo - s.ValueFrom <= MaxValueWords).ToList();
        }
        return WithoutColon(tokens, count).Select(s => EndAtSeparator(tokens, s)).ToList();
    }

    /// <summary>A value ends where a separator (<c>·</c>, <c>|</c>, <c>•</c>) sets the next item of a footer or sender line apart.</summary>
    private static LineSpan EndAtSeparator(IReadOnlyList<string> tokens, LineSpan span)
    {
        for (var i = span.ValueFrom; i < span.ValueTo; i++)
        {
            if (tokens[i] is "·" or "|" or "•" or "–" or "—")
            {
                return span with { ValueTo = i };
            }
        }
        return span;
    }

    /// <summary>True when a label of these tokens is one that stands above or beside its value without a colon.</summary>
    public static bool IsBareLabel(string label)
    {
        var canonical = KeyVocabulary.Canonical(label);
        return KeyVocabulary.EndsWithNumberWord(canonical)
            || (KeyVocabulary.ByLabel(label) is not null && !TitleWords.Contains(canonical));
    }

    /// <summary>A value token: holds a digit, or is a currency sign or code.</summary>
    public static bool IsValueToken(string token) =>
        TextCounting.HasDigit(token) || token is "€" or "$" or "£" or "CHF" or "%" || (token.Length == 3 && token.All(char.IsAsciiLetterUpper));

    public static string Join(IReadOnlyList<string> tokens, int from, int to) => string.Join(' ', Enumerable.Range(from, to - from).Select(i => tokens[i]));

    private static List<LineSpan> WithoutColon(IReadOnlyList<string> tokens, int count)
    {
        var firstValue = -1;
        for (var i = 0; i < count && i <= MaxLabelWords; i++)
        {
            if (IsValueToken(tokens[i]) && !IsLabelWord(tokens[i], last: false))
            {
                firstValue = i;
                break;
            }
            if (!IsLabelWord(tokens[i], last: false))
            {
                return [];
            }
        }
        if (firstValue < 0)
        {
            // A line of label words only: a label whose value is beside or below it.
            return count is > 0 and <= MaxLabelWords && IsBareLabel(Join(tokens, 0, count)) ? [new LineSpan(0, count, count, count, Colon: false)] : [];
        }
        if (firstValue == 0)
        {
            return [];
        }
        var label = Join(tokens, 0, firstValue);
        if (KeyVocabulary.EndsWithNumberWord(KeyVocabulary.Canonical(label)))
        {
            // "Rechnungsnummer 2024-0117 vom 15.03.2024": the identifier is the one token after the label.
            return [new LineSpan(0, firstValue, firstValue, firstValue + 1, Colon: false)];
        }
        var rest = count - firstValue;
        var valueTokens = Enumerable.Range(firstValue, rest).Count(i => IsValueToken(tokens[i]));
        // "Total 1,190.00 EUR": a known label and the rest of a short line all value.
        return KeyVocabulary.ByLabel(label) is not null && rest <= 5 && valueTokens * 2 >= rest
            ? [new LineSpan(0, firstValue, firstValue, count, Colon: false)]
            : [];
    }

    /// <summary>Where the label of a second pair on a line starts: the longest run of words that names a key, else the last word (with a "No." before it).</summary>
    private static int ChooseStart(IReadOnlyList<string> tokens, int runStart, int labelTo)
    {
        if (AliasStart(tokens, runStart, labelTo - 1, labelTo) is { } alias)
        {
            return alias;
        }
        var last = labelTo - 1;
        return last > runStart && KeyVocabulary.EndsWithNumberWord(KeyVocabulary.Canonical(tokens[last])) ? last - 1 : last;
    }

    /// <summary>Where the longest run of words ending at <paramref name="labelTo"/> that names a key starts, from <paramref name="runStart"/> to before <paramref name="startsBefore"/>; null when none does.</summary>
    private static int? AliasStart(IReadOnlyList<string> tokens, int runStart, int startsBefore, int labelTo)
    {
        for (var s = runStart; s < startsBefore; s++)
        {
            if (KeyVocabulary.ByLabel(Join(tokens, s, labelTo)) is not null)
            {
                return s;
            }
        }
        return null;
    }

    private static bool EndsLabel(string token) =>
        token == ":" || (token.Length > 1 && token[^1] == ':' && token[^2] != ':' && !token.Contains("://", StringComparison.Ordinal)
            && !token.StartsWith("http", StringComparison.OrdinalIgnoreCase) && !token[..^1].Contains(':', StringComparison.Ordinal));

    private static bool IsLabelWord(string token, bool last)
    {
        var word = last ? token.TrimEnd(':') : token;
        if (word.Length == 0 || word.Length > 40 || word.Contains('@', StringComparison.Ordinal))
        {
            return false;
        }
        if (word is "#" or "n°" or "N°" or "nº" or "Nº" or "°" or "-" or "–" or "&" or "/" or "(" or ")")
        {
            return true;
        }
        if (!last && word.EndsWith(':'))
        {
            return false;
        }
        var digits = TextCounting.CountDigits(word);
        // "VAT 19%" and "MwSt. 7 %" are labels; other digits make a value.
        return digits == 0 ? TextCounting.HasLetter(word) : digits <= 2 && word.EndsWith('%');
    }
}
