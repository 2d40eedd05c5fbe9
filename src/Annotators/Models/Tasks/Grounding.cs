using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.Documents;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Models.Tasks;

/// <summary>
/// Checks extracted values against the document's text, so an invented value never passes as a fact: a value is
/// grounded when it occurs in a block's text or a table cell after normalising numbers (<c>1,234.50</c> =
/// <c>1234.5</c> = <c>1.234,50</c>), dates (<c>2024-03-15</c> = <c>15 March 2024</c> = <c>15.03.2024</c>), case and
/// white space. Reads each text once for all values.
/// </summary>
/// <remarks>
/// Only a whole token grounds a value: a number is never found inside a longer number, a date, a time, an identifier
/// (<c>INV-2291-14</c>), a phone number, an IBAN, a VAT id, an e-mail address or a URL, and a date only where the
/// entity recognizer reads a date, never inside a longer number.
/// </remarks>
public sealed partial class Grounding
{
    /// <summary>Most rows of one table searched; the rest of a huge sheet is not read for grounding.</summary>
    public const int MaxRowsPerTable = 100_000;

    /// <summary>Entities whose digits are not amounts: a number inside one of them is not grounded by it.</summary>
    private static readonly HashSet<string> NotBareNumbers =
        [EntityTypes.Date, EntityTypes.Phone, EntityTypes.Iban, EntityTypes.VatId, EntityTypes.Email, EntityTypes.Url];

    private readonly EntityRecognizer _recognizer;

    /// <summary>Creates the grounding check.</summary>
    /// <param name="recognizer">Finds dates in text; one with the default pattern options when null.</param>
    public Grounding(EntityRecognizer? recognizer = null)
    {
        _recognizer = recognizer ?? new EntityRecognizer(Options.Create(new PatternOptions()));
    }

    /// <summary>Every non-null leaf of <paramref name="values"/> with its JSON Pointer, in document order.</summary>
    public static IReadOnlyList<(string Path, JsonNode Value)> Leaves(JsonNode? values)
    {
        var leaves = new List<(string, JsonNode)>();
        Walk(values, "", leaves);
        return leaves;
    }

    /// <summary>Grounds every non-null leaf of <paramref name="values"/> in <paramref name="document"/>.</summary>
    public IReadOnlyList<ExtractedField> Ground(Document document, JsonNode? values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var targets = Leaves(values).Select(leaf => Target.For(leaf.Path, leaf.Value)).ToList();
        foreach (var (text, location, cell) in Sources(document, cancellationToken))
        {
            if (targets.TrueForAll(t => t.Done))
            {
                break;
            }
            var prepared = new Lazy<PreparedText>(() => Prepare(text));
            foreach (var target in targets.Where(t => !t.Done))
            {
                if (cell is { } value && MatchesCell(target, value))
                {
                    target.Found(location, text);
                }
                else if (Find(target, prepared.Value) is { } match)
                {
                    target.Found(cell is null ? location with { Offset = match.Index, Length = match.Length } : location, text.Substring(match.Index, match.Length));
                }
            }
        }
        return targets.Select(t => t.Result()).ToList();
    }

    /// <summary>Normalises text for comparison: lower case, runs of white space as one space, trimmed.</summary>
    public static string NormaliseText(string text) => Normalise(text).Text;

    /// <summary>The numbers a piece of text can stand for: <c>1,234</c> is 1234 or 1.234; <c>1.234,50</c> is 1234.5.</summary>
    public static IReadOnlyList<decimal> NumberReadings(string token)
    {
        var readings = new List<decimal>();
        var negative = token.StartsWith('-') || token.StartsWith('\u2212');
        var digits = new string(token.Where(c => c is not (' ' or '\u00A0' or '\u202F' or '\'' or '-' or '\u2212' or '+')).ToArray());
        if (digits.Length == 0)
        {
            return readings;
        }
        var lastComma = digits.LastIndexOf(',');
        var lastDot = digits.LastIndexOf('.');
        void Add(string invariant)
        {
            if (decimal.TryParse(invariant, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                readings.Add(negative ? -number : number);
            }
        }
        if (lastComma >= 0 && lastDot >= 0)
        {
            // Both separators: the last one is the decimal separator.
            var decimalSeparator = lastComma > lastDot ? ',' : '.';
            var grouping = decimalSeparator == ',' ? "." : ",";
            Add(digits.Replace(grouping, "", StringComparison.Ordinal).Replace(',', '.'));
        }
        else if (lastComma >= 0 || lastDot >= 0)
        {
            var separator = lastComma >= 0 ? ',' : '.';
            var count = digits.Count(c => c == separator);
            var after = digits.Length - digits.LastIndexOf(separator) - 1;
            if (count > 1)
            {
                Add(digits.Replace(separator.ToString(), "", StringComparison.Ordinal));
            }
            else
            {
                Add(digits.Replace(separator, '.'));
                if (after == 3)
                {
                    Add(digits.Replace(separator.ToString(), "", StringComparison.Ordinal));
                }
            }
        }
        else
        {
            Add(digits);
        }
        return readings.Distinct().ToList();
    }

    private static void Walk(JsonNode? node, string path, List<(string, JsonNode)> leaves)
    {
        switch (node)
        {
            case null:
                return;
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    Walk(child, path + "/" + name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal), leaves);
                }
                return;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], path + "/" + i.ToString(CultureInfo.InvariantCulture), leaves);
                }
                return;
            default:
                if (node is JsonValue value && value.TryGetValue<string>(out var text) && string.IsNullOrWhiteSpace(text))
                {
                    return;
                }
                leaves.Add((path.Length == 0 ? "/" : path, node.DeepClone()));
                return;
        }
    }

    private static IEnumerable<(string Text, SourceLocation Location, CellValue? Cell)> Sources(Document document, CancellationToken cancellationToken)
    {
        for (var index = 0; index < document.Blocks.Count; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var block = document.Blocks[index];
            var location = block.Location with { Block = index };
            if (block is not TableBlock table)
            {
                yield return (block.Text, location, null);
                continue;
            }
            var sheet = location.Sheet;
            if (table.HasHeaderRow)
            {
                for (var c = 0; c < table.Columns.Count; c++)
                {
                    yield return (table.Columns[c], new SourceLocation { Sheet = sheet, Cell = table.CellReference(c, table.FirstRow), Block = index }, null);
                }
            }
            var rows = 0;
            foreach (var row in table.Rows)
            {
                if (++rows > MaxRowsPerTable)
                {
                    break;
                }
                if (rows % 1024 == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
                for (var c = 0; c < row.Cells.Count; c++)
                {
                    var cell = row.Cells[c];
                    if (!cell.IsEmpty)
                    {
                        yield return (cell.Display ?? cell.Text, new SourceLocation { Sheet = sheet, Cell = table.CellReference(c, row.Number), Block = index }, cell);
                    }
                }
            }
        }
        if (document.Blocks.Count == 0)
        {
            for (var page = 0; page < document.Pages.Count; page++)
            {
                yield return (document.Pages[page], SourceLocation.OnPage(page + 1), null);
            }
        }
    }

    private static bool MatchesCell(Target target, CellValue cell) => cell.Kind switch
    {
        CellKind.Number when cell.Number is { } number && target.Numbers.Count > 0 =>
            number is > (double)decimal.MinValue and < (double)decimal.MaxValue && target.Numbers.Contains(Math.Round((decimal)number, 6)),
        CellKind.DateTime when cell.DateTime is { } date && target.Date is { } wanted => DateOnly.FromDateTime(date) == wanted,
        _ => false,
    };

    private (int Index, int Length)? Find(Target target, PreparedText text)
    {
        if (target.NormalisedText is { Length: > 0 } wanted)
        {
            var haystack = text.Normalised.Text;
            // Whole words only: "5" must not be found inside "2025", nor "art" inside "party".
            var at = haystack.IndexOf(wanted, StringComparison.Ordinal);
            while (at >= 0 && !(Boundary(haystack, at - 1, wanted[0], -1) && Boundary(haystack, at + wanted.Length, wanted[^1], 1)))
            {
                at = haystack.IndexOf(wanted, at + 1, StringComparison.Ordinal);
            }
            if (at >= 0)
            {
                var start = text.Normalised.Map[at];
                var end = text.Normalised.Map[at + wanted.Length - 1] + 1;
                return (start, end - start);
            }
        }
        if (target.Numbers.Count > 0)
        {
            foreach (var (index, length, readings) in text.Numbers.Value)
            {
                // The recognizer runs only for a token that would match, so huge sheets are not read for entities.
                if (readings.Any(target.Numbers.Contains) && !InsideNonNumber(text.Entities(_recognizer), index, length))
                {
                    return (index, length);
                }
            }
        }
        if (target.Date is { } date)
        {
            var iso = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            foreach (var match in text.Entities(_recognizer))
            {
                if (match.Type == "date" && match.Value.StartsWith(iso, StringComparison.Ordinal))
                {
                    return (match.Index, match.Length);
                }
            }
        }
        return null;
    }

    private static bool InsideNonNumber(IReadOnlyList<EntityMatch> entities, int index, int length) =>
        entities.Any(e => NotBareNumbers.Contains(e.Type) && e.Index < index + length && index < e.End);

    /// <summary>
    /// True when the text at <paramref name="index"/>, next to a match's <paramref name="edge"/>, ends the match: no
    /// letter or digit runs on, and a digit edge is not joined to more digits (<c>INV-2291</c> is not in <c>INV-2291-14</c>).
    /// </summary>
    private static bool Boundary(string text, int index, char edge, int direction)
    {
        if (!char.IsLetterOrDigit(edge) || index < 0 || index >= text.Length)
        {
            return true;
        }
        if (char.IsLetterOrDigit(text[index]))
        {
            return false;
        }
        var beyond = index + direction;
        return !(char.IsDigit(edge) && IsNumberJoiner(text[index]) && beyond >= 0 && beyond < text.Length && char.IsLetterOrDigit(text[beyond]));
    }

    private static bool IsNumberJoiner(char c) => c is '-' or '\u2212' or '/' or '.' or ',' or ':';

    private static PreparedText Prepare(string text) => new(text, Normalise(text));

    private static (string Text, int[] Map) Normalise(string text)
    {
        var builder = new StringBuilder(text.Length);
        var map = new List<int>(text.Length);
        var pendingSpace = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }
            if (pendingSpace)
            {
                builder.Append(' ');
                map.Add(i - 1);
                pendingSpace = false;
            }
            builder.Append(char.ToLowerInvariant(c));
            map.Add(i);
        }
        return (builder.ToString(), map.ToArray());
    }

    // A whole number only: not preceded by a letter or digit, nor joined to one before it by '-' or '/' (INV-2291,
    // 2024-03) or to a digit by '.', ',' or ':' (12:30); not followed by a letter or digit, nor by a joiner and a digit.
    [GeneratedRegex(@"(?<![\p{L}\p{N}_]|[\p{L}\p{N}_][-\u2212/]|\p{N}[.,:])[-\u2212]?(?:\d{1,3}(?:[ \u00A0\u202F',.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\p{L}\p{N}_]|[-\u2212/.,:']\p{N})")]
    private static partial Regex NumberToken();

    private sealed class PreparedText(string text, (string Text, int[] Map) normalised)
    {
        private IReadOnlyList<EntityMatch>? _entities;

        public (string Text, int[] Map) Normalised { get; } = normalised;

        public Lazy<List<(int Index, int Length, IReadOnlyList<decimal> Readings)>> Numbers { get; } = new(() =>
            NumberToken().Matches(text).Select(m => (m.Index, m.Length, NumberReadings(m.Value))).ToList());

        public IReadOnlyList<EntityMatch> Entities(EntityRecognizer recognizer) => _entities ??= recognizer.Find(text);
    }

    /// <summary>One leaf being looked for, with the forms it may take in the text.</summary>
    private sealed class Target
    {
        private SourceLocation? _location;
        private string? _text;

        private Target(string path, JsonNode value)
        {
            Path = path;
            Value = value;
        }

        public string Path { get; }
        public JsonNode Value { get; }
        public string? NormalisedText { get; private init; }
        public HashSet<decimal> Numbers { get; } = [];
        public DateOnly? Date { get; private init; }
        public bool Verifiable { get; private init; } = true;
        public bool Done => !Verifiable || _location is not null;

        public static Target For(string path, JsonNode value)
        {
            var kind = value.GetValueKind();
            if (kind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)
            {
                return new Target(path, value) { Verifiable = false };
            }
            if (kind == System.Text.Json.JsonValueKind.Number)
            {
                var target = new Target(path, value);
                // Parsed from the JSON text: a JsonValue built from an int or double does not convert to decimal itself.
                if (decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    target.Numbers.Add(Math.Round(d, 6));
                }
                return target;
            }
            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s.Trim() : value.ToJsonString();
            DateOnly? date = DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed : null;
            var numeric = date is null && NumberToken().Match(text) is { Success: true } m && m.Length == text.Length;
            // A number written as text is looked for as a number only: as text, "5" would be found in "234,5". A date
            // is looked for as a date only: as text, "2024-03-14" would be found in "2024-03-14-7".
            var result = new Target(path, value) { NormalisedText = numeric || date is not null ? null : NormaliseText(text), Date = date };
            if (numeric)
            {
                foreach (var reading in NumberReadings(text))
                {
                    result.Numbers.Add(Math.Round(reading, 6));
                }
            }
            return result;
        }

        public void Found(SourceLocation location, string text)
        {
            _location = location;
            _text = text;
        }

        public ExtractedField Result() => new()
        {
            Path = Path,
            Value = Value,
            Grounded = _location is not null,
            Status = !Verifiable ? ExtractedField.UnverifiableStatus : _location is not null ? ExtractedField.GroundedStatus : ExtractedField.UngroundedStatus,
            Location = _location,
            Text = _text,
        };
    }
}
