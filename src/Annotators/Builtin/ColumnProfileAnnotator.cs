using System.Globalization;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Builtin;

/// <summary>
/// Profiles every column of every table in one streaming pass over its rows: inferred type, emptiness, distinct
/// values (exact up to 10,000, then a HyperLogLog estimate), range of numbers or dates, examples, and whether the
/// column holds personal data (e-mail addresses, phone numbers, IBANs).
/// </summary>
public sealed class ColumnProfileAnnotator : IAnnotator
{
    /// <summary>The annotator's name.</summary>
    public const string AnnotatorName = "columns";

    /// <summary>Distinct values counted exactly per column; beyond this the count is estimated.</summary>
    public const int ExactDistinctLimit = 10_000;

    /// <summary>Share of non-empty cells one type must reach for the column to have that type rather than <c>mixed</c>.</summary>
    public const double DominantTypeShare = 0.95;

    /// <summary>Share of non-empty cells that must match a personal-data pattern for the column to be flagged.</summary>
    public const double PersonalDataShare = 0.30;

    private const int CancellationCheckRows = 4096;
    private const int ExampleCount = 5;
    private const int ExampleLength = 100;

    private readonly EntityRecognizer _recognizer;

    /// <summary>Creates the annotator; pattern options decide how phone numbers are recognised.</summary>
    public ColumnProfileAnnotator(IOptions<PatternOptions> options)
    {
        _recognizer = new EntityRecognizer(options);
    }

    /// <inheritdoc />
    public string Name => AnnotatorName;

    /// <inheritdoc />
    public int Order => 130;

    /// <inheritdoc />
    public bool RunsAlongside => true;

    /// <inheritdoc />
    public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var tables = context.Document.Blocks.OfType<TableBlock>().ToList();
        if (tables.Count == 0)
        {
            return Task.FromResult(AnnotatorOutcome.Skipped("the document has no tables"));
        }
        foreach (var table in tables)
        {
            context.Annotations.Columns.AddRange(Profile(table, cancellationToken));
        }
        return Task.FromResult(AnnotatorOutcome.Done);
    }

    private List<ColumnProfile> Profile(TableBlock table, CancellationToken cancellationToken)
    {
        var columns = table.Columns.Select(_ => new ColumnStatistics()).ToArray();
        long rows = 0, firstRow = 0, lastRow = 0;
        var buffer = new char[CellValue.MaxDerivedTextLength];
        foreach (var row in table.Rows.Scan())
        {
            if (++rows % CancellationCheckRows == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (rows == 1)
            {
                firstRow = row.Number;
            }
            lastRow = row.Number;
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i].Add(i < row.Cells.Count ? row.Cells[i] : CellValue.Empty, _recognizer, buffer);
            }
        }
        var profiles = new List<ColumnProfile>(columns.Length);
        for (var i = 0; i < columns.Length; i++)
        {
            var stats = columns[i];
            var type = stats.InferType();
            profiles.Add(new ColumnProfile
            {
                Sheet = table.Location.Sheet,
                Table = table.Name,
                Index = i,
                Header = table.Columns[i],
                Range = rows > 0 ? table.CellReference(i, firstRow) + ":" + table.CellReference(i, lastRow) : null,
                InferredType = type,
                Count = stats.Count,
                EmptyRatio = stats.Count == 0 ? 0 : Math.Round((double)stats.Empty / stats.Count, 4),
                DistinctCount = stats.DistinctCount,
                DistinctIsEstimate = stats.DistinctIsEstimate,
                Min = stats.Minimum(type),
                Max = stats.Maximum(type),
                Examples = stats.Examples,
                PersonalData = stats.PersonalData(),
                Annotator = AnnotatorName,
            });
        }
        return profiles;
    }

    private sealed class ColumnStatistics
    {
        private static readonly string[] IsoDateFormats =
            ["yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK"];

        private enum TextKind : byte
        {
            Text,
            Email,
            Iban,
            Phone,
            Number,
            Date,
            Boolean,
        }

        /// <summary>What a text cell was counted as: its kind, with the number or date it holds.</summary>
        private readonly record struct TextClass(TextKind Kind, double Number, DateTime Date);

        private const int TrialTexts = 1024;
        private const int RepeatRatio = 16;

        private Dictionary<string, TextClass>? _classes = new(StringComparer.Ordinal);
        private int _new, _repeats;
        private const ulong NumberSeed = 0x9e3779b97f4a7c15UL;
        private const ulong DateSeed = 0xbf58476d1ce4e5b9UL;

        // While the count is exact: the distinct texts, and the distinct numbers and dates by value (rendered only at the
        // end, to find those that equal a text of the column). Past ExactDistinctLimit together, one sketch of all.
        private HashSet<string>? _exact = new(StringComparer.Ordinal);
        private HashSet<long>? _numbers = [];
        private HashSet<long>? _dates = [];
        private HyperLogLog? _sketch;
        private long _text, _integer, _number, _date, _boolean, _email, _phone, _iban;
        private double _minNumber = double.PositiveInfinity, _maxNumber = double.NegativeInfinity;
        private DateTime _minDate = DateTime.MaxValue, _maxDate = DateTime.MinValue;

        public long Count { get; private set; }
        public long Empty { get; private set; }
        public List<string> Examples { get; } = [];
        public bool DistinctIsEstimate => _exact is null;

        /// <summary>
        /// Distinct values: exactly, a number or date written as a text of the column counted once (as when every value
        /// was rendered); estimated past <see cref="ExactDistinctLimit"/>, where numbers and dates are sketched by value,
        /// so a number and the same number as text count as two.
        /// </summary>
        public long DistinctCount
        {
            get
            {
                if (_exact is not { } texts)
                {
                    return _sketch!.Estimate();
                }
                long count = texts.Count + _numbers!.Count + _dates!.Count;
                if (texts.Count == 0)
                {
                    return count;
                }
                Span<char> buffer = stackalloc char[CellValue.MaxDerivedTextLength];
                var lookup = texts.GetAlternateLookup<ReadOnlySpan<char>>();
                foreach (var bits in _numbers)
                {
                    count -= lookup.Contains(CellValue.FromNumber(BitConverter.Int64BitsToDouble(bits)).GetText(buffer)) ? 1 : 0;
                }
                foreach (var ticks in _dates)
                {
                    count -= lookup.Contains(CellValue.FromDateTime(new DateTime(ticks)).GetText(buffer)) ? 1 : 0;
                }
                return count;
            }
        }

        private long NonEmpty => Count - Empty;

        public void Add(CellValue cell, EntityRecognizer recognizer, char[] buffer)
        {
            Count++;
            if (cell.IsEmpty)
            {
                Empty++;
                return;
            }
            switch (cell.Kind)
            {
                // Typed numbers and dates are counted by value, without rendering them (a million-row column of
                // decimals spent most of its time writing each one out); one that came with a text of its own by it.
                case CellKind.Number when cell.Number is { } number:
                    AddNumber(number);
                    if (cell.HasGivenText)
                    {
                        AddDistinct(cell.Text.Trim());
                    }
                    else
                    {
                        // Negative zero is written "-0", a value of its own, as its bits are.
                        AddDistinctValue(_numbers, BitConverter.DoubleToInt64Bits(number), NumberSeed, cell, buffer);
                    }
                    return;
                case CellKind.DateTime when cell.DateTime is { } date:
                    AddDate(date);
                    if (cell.HasGivenText)
                    {
                        AddDistinct(cell.Text.Trim());
                    }
                    else
                    {
                        AddDistinctValue(_dates, date.Ticks, DateSeed, cell, buffer);
                    }
                    return;
            }
            var text = cell.Text.Trim();
            if (cell.Kind == CellKind.Boolean)
            {
                _boolean++;
            }
            else
            {
                ClassifyText(text, recognizer);
            }
            AddDistinct(text);
        }

        private void ClassifyText(string text, EntityRecognizer recognizer)
        {
            // A column repeats its values (names, codes, categories): each distinct text is classified once, up to
            // ExactDistinctLimit texts; the classification depends on the text alone. A column whose texts do not
            // repeat (fewer than 1 in RepeatRatio of its first TrialTexts) is classified cell by cell instead of
            // hashing every text for a lookup that misses.
            if (_classes is null)
            {
                Tally(Classify(text, recognizer));
                return;
            }
            if (_classes.TryGetValue(text, out var known))
            {
                _repeats++;
                Tally(known);
                return;
            }
            var found = Classify(text, recognizer);
            if (++_new >= TrialTexts && _repeats * RepeatRatio < _new)
            {
                _classes = null;
            }
            else if (_classes.Count < ExactDistinctLimit)
            {
                _classes.Add(text, found);
            }
            Tally(found);
        }

        private static TextClass Classify(string text, EntityRecognizer recognizer)
        {
            // CSV and text-typed cells carry numbers and dates as text; they count as what they say. A leading '+'
            // marks an international phone number far more often than a signed number.
            var signed = text.StartsWith('+');
            if (!signed && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return new TextClass(TextKind.Number, integer, default);
            }
            if (!signed && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            {
                return new TextClass(TextKind.Number, number, default);
            }
            // Every ISO format starts with the year's digits, so text that does not start with a digit is no date.
            if (text.Length > 0 && char.IsAsciiDigit(text[0])
                && DateTime.TryParseExact(text, IsoDateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
            {
                return new TextClass(TextKind.Date, 0, date);
            }
            if (bool.TryParse(text, out _))
            {
                return new TextClass(TextKind.Boolean, 0, default);
            }
            var kind = recognizer.ContainsEmail(text) ? TextKind.Email
                : recognizer.ContainsIban(text) ? TextKind.Iban
                : recognizer.ContainsPhone(text) ? TextKind.Phone
                : TextKind.Text;
            return new TextClass(kind, 0, default);
        }

        private void Tally(TextClass found)
        {
            switch (found.Kind)
            {
                case TextKind.Number:
                    AddNumber(found.Number);
                    break;
                case TextKind.Date:
                    AddDate(found.Date);
                    break;
                case TextKind.Boolean:
                    _boolean++;
                    break;
                default:
                    _text++;
                    _email += found.Kind == TextKind.Email ? 1 : 0;
                    _iban += found.Kind == TextKind.Iban ? 1 : 0;
                    _phone += found.Kind == TextKind.Phone ? 1 : 0;
                    break;
            }
        }

        private void AddNumber(double number)
        {
            if (Math.Abs(number) < 9e15 && number == Math.Floor(number))
            {
                _integer++;
            }
            else
            {
                _number++;
            }
            _minNumber = Math.Min(_minNumber, number);
            _maxNumber = Math.Max(_maxNumber, number);
        }

        private void AddDate(DateTime date)
        {
            _date++;
            if (date < _minDate)
            {
                _minDate = date;
            }
            if (date > _maxDate)
            {
                _maxDate = date;
            }
        }

        private void AddDistinct(string value) => AddDistinct(value, value);

        /// <summary>A number or date by value (<paramref name="key"/>); rendered only when it becomes one of the examples.</summary>
        private void AddDistinctValue(HashSet<long>? values, long key, ulong seed, CellValue cell, char[] buffer)
        {
            if (_exact is null)
            {
                _sketch!.Add(key, seed);
                return;
            }
            if (!values!.Add(key))
            {
                return;
            }
            if (Examples.Count < ExampleCount)
            {
                var text = cell.GetText(buffer).Trim();
                if (!HasExample(text))
                {
                    Examples.Add(text.ToString());
                }
            }
            if (_exact.Count + _numbers!.Count + _dates!.Count > ExactDistinctLimit)
            {
                ToSketch();
            }
        }

        /// <summary>True when <paramref name="text"/> is an example already (a number and the same number as text).</summary>
        private bool HasExample(ReadOnlySpan<char> text)
        {
            foreach (var example in Examples)
            {
                if (text.SequenceEqual(example))
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>Past the limit an exact set would grow with the table; the sketch stays at 16 KB.</summary>
        private void ToSketch()
        {
            _sketch = new HyperLogLog();
            foreach (var seen in _exact!)
            {
                _sketch.Add(seen);
            }
            foreach (var bits in _numbers!)
            {
                _sketch.Add(bits, NumberSeed);
            }
            foreach (var ticks in _dates!)
            {
                _sketch.Add(ticks, DateSeed);
            }
            (_exact, _numbers, _dates) = (null, null, null);
        }

        private void AddDistinct(ReadOnlySpan<char> value, string? text = null)
        {
            if (_exact is null)
            {
                _sketch!.Add(value);
                return;
            }
            // A rendered number or date becomes a string only when it is a new distinct value.
            if (text is not null ? !_exact.Add(text) : !_exact.GetAlternateLookup<ReadOnlySpan<char>>().Add(value))
            {
                return;
            }
            if (Examples.Count < ExampleCount)
            {
                var example = value.Length <= ExampleLength ? value : value[..ExampleLength];
                if (!HasExample(example))
                {
                    Examples.Add(text is not null && example.Length == text.Length ? text : example.ToString());
                }
            }
            if (_exact.Count + _numbers!.Count + _dates!.Count > ExactDistinctLimit)
            {
                ToSketch();
            }
        }

        public string InferType()
        {
            var nonEmpty = NonEmpty;
            if (nonEmpty == 0)
            {
                return "empty";
            }
            bool Holds(long count) => count >= DominantTypeShare * nonEmpty;
            if (Holds(_integer))
            {
                return "integer";
            }
            if (Holds(_integer + _number))
            {
                return "number";
            }
            if (Holds(_date))
            {
                return "date";
            }
            if (Holds(_boolean))
            {
                return "boolean";
            }
            return Holds(_text) ? "text" : "mixed";
        }

        public string? Minimum(string type) => type switch
        {
            "integer" or "number" => FormatNumber(_minNumber),
            "date" => FormatDate(_minDate),
            _ => null,
        };

        public string? Maximum(string type) => type switch
        {
            "integer" or "number" => FormatNumber(_maxNumber),
            "date" => FormatDate(_maxDate),
            _ => null,
        };

        public List<string> PersonalData()
        {
            var kinds = new List<string>();
            var nonEmpty = NonEmpty;
            if (nonEmpty == 0)
            {
                return kinds;
            }
            if (_email >= PersonalDataShare * nonEmpty)
            {
                kinds.Add(EntityTypes.Email);
            }
            if (_phone >= PersonalDataShare * nonEmpty)
            {
                kinds.Add(EntityTypes.Phone);
            }
            if (_iban >= PersonalDataShare * nonEmpty)
            {
                kinds.Add(EntityTypes.Iban);
            }
            return kinds;
        }

        private static string? FormatNumber(double value) =>
            double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : null;

        private static string? FormatDate(DateTime value) =>
            value == DateTime.MaxValue || value == DateTime.MinValue ? null
            : value.TimeOfDay == TimeSpan.Zero ? value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : value.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
    }
}
