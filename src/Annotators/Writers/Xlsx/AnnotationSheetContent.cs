using System.Globalization;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Writers.Xlsx;

/// <summary>How a row of the Annotations sheet is shown.</summary>
internal enum SheetRowStyle
{
    Normal,
    Title,
    Header,
}

/// <summary>One row of the Annotations sheet: cells are strings, doubles, longs, booleans or null.</summary>
internal sealed record SheetRow(IReadOnlyList<object?> Cells, SheetRowStyle Style = SheetRowStyle.Normal);

/// <summary>
/// What the Annotations sheet says, independent of how it is written (ClosedXML for small workbooks, the
/// OpenXml SDK's streaming writer for large ones), so both paths produce the same sheet.
/// </summary>
internal sealed class AnnotationSheetContent
{
    /// <summary>Most findings listed; a workbook of millions of findings helps nobody and Excel caps rows.</summary>
    public const int MaxFindings = 100_000;

    /// <summary>Excel's limit on the characters of one cell.</summary>
    public const int MaxCellText = 32_767;

    public static readonly string[] ProfileHeaders =
        ["Sheet", "Table", "Column", "Header", "Range", "Inferred type", "Count", "Empty ratio", "Distinct count", "Min", "Max", "Examples", "Personal data"];

    public static readonly string[] FindingHeaders = ["Type", "Text", "Normalised value", "Currency", "Sheet", "Cell"];

    private AnnotationSheetContent(List<SheetRow> rows, int frozenRows)
    {
        Rows = rows;
        FrozenRows = frozenRows;
        ColumnWidths = Widths(rows);
    }

    public IReadOnlyList<SheetRow> Rows { get; }

    private const int MinWidth = 8;
    private const int MaxWidth = 60;

    /// <summary>
    /// Each column as wide as its longest text outside the titles, plus 2, within 8 to 60 characters; in one pass over
    /// the rows (100,000 findings are 100,000 rows), rendering no cell of a column already at the widest.
    /// </summary>
    private static List<double> Widths(List<SheetRow> rows)
    {
        var longest = new int[rows.Max(r => r.Cells.Count)];
        Array.Fill(longest, -1);
        foreach (var row in rows)
        {
            if (row.Style == SheetRowStyle.Title)
            {
                continue;
            }
            for (var c = 0; c < row.Cells.Count; c++)
            {
                if (longest[c] < MaxWidth - 2)
                {
                    longest[c] = Math.Max(longest[c], Render(row.Cells[c]).Length);
                }
            }
        }
        return [.. longest.Select(l => (double)Math.Clamp((l < 0 ? MinWidth : l) + 2, MinWidth, MaxWidth))];
    }

    /// <summary>Rows kept in view when scrolling: the summary and the column-profile header.</summary>
    public int FrozenRows { get; }

    /// <summary>Width of each column in characters.</summary>
    public IReadOnlyList<double> ColumnWidths { get; }

    /// <param name="document">The document.</param>
    /// <param name="annotations">The annotations.</param>
    /// <param name="dataSheet">Sheet name findings without one point into (the Data sheet of a CSV source).</param>
    /// <param name="notes">Extra lines for the summary (e.g. a truncated Data sheet).</param>
    public static AnnotationSheetContent Build(Document document, AnnotationSet annotations, string? dataSheet, IEnumerable<string> notes)
    {
        var rows = new List<SheetRow>
        {
            new(["Annotations of '" + document.FileName + "'"], SheetRowStyle.Title),
            new(["File", document.FileName]),
            new(["Language", annotations.Language is { } language
                ? $"{language.Name} ({language.Code}), confidence {language.Confidence.ToString("0.00", CultureInfo.InvariantCulture)}"
                : "not detected"]),
            new(["Statistics", Statistics(document, annotations.Statistics)]),
        };
        rows.AddRange(notes.Select(n => new SheetRow(["Note", n])));
        rows.Add(new SheetRow([]));
        rows.Add(new SheetRow(["Column profiles"], SheetRowStyle.Title));
        rows.Add(new SheetRow(ProfileHeaders, SheetRowStyle.Header));
        var frozen = rows.Count;
        foreach (var column in annotations.Columns)
        {
            rows.Add(new SheetRow([
                column.Sheet ?? dataSheet,
                column.Table,
                ColumnLetter(column),
                column.Header,
                column.Range,
                column.InferredType,
                column.Count,
                Math.Round(column.EmptyRatio, 4),
                column.DistinctIsEstimate ? "~" + column.DistinctCount.ToString(CultureInfo.InvariantCulture) : column.DistinctCount,
                column.Min,
                column.Max,
                string.Join("; ", column.Examples),
                string.Join(", ", column.PersonalData),
            ]));
        }
        if (annotations.Columns.Count == 0)
        {
            rows.Add(new SheetRow(["(no column profiles)"]));
        }
        rows.Add(new SheetRow([]));
        rows.Add(new SheetRow(["Findings"], SheetRowStyle.Title));
        if (annotations.Entities.Count > MaxFindings)
        {
            rows.Add(new SheetRow([string.Create(CultureInfo.InvariantCulture, $"Showing the first {MaxFindings:N0} of {annotations.Entities.Count:N0} findings; annotations.json lists them all.")]));
        }
        rows.Add(new SheetRow(FindingHeaders, SheetRowStyle.Header));
        foreach (var entity in annotations.Entities.Take(MaxFindings))
        {
            rows.Add(new SheetRow([
                entity.Type,
                entity.Text,
                entity.Value,
                entity.Currency,
                entity.Location.Sheet ?? (entity.Location.Cell is null ? null : dataSheet),
                entity.Location.Cell ?? Describe(entity.Location),
            ]));
        }
        if (annotations.Entities.Count == 0)
        {
            rows.Add(new SheetRow(["(no findings)"]));
        }
        if (annotations.Rows is { } rowAnnotations)
        {
            AddRowAnnotations(rows, rowAnnotations, dataSheet);
        }
        return new AnnotationSheetContent(rows, frozen);
    }

    /// <summary>Headers of the row-annotation listing before the field names.</summary>
    public static readonly string[] RowAnnotationHeaders = ["Sheet", "Table", "Row"];

    private static void AddRowAnnotations(List<SheetRow> rows, RowAnnotations annotations, string? dataSheet)
    {
        rows.Add(new SheetRow([]));
        rows.Add(new SheetRow(["Row annotations"], SheetRowStyle.Title));
        var total = annotations.Tables.Sum(t => (long)t.Rows.Count);
        rows.Add(new SheetRow([string.Create(CultureInfo.InvariantCulture,
            $"{total:N0} rows annotated by {annotations.Provenance.Model} with profile '{annotations.Provenance.Profile}' (prompt {annotations.Provenance.PromptVersion}).")]));
        if (total > MaxFindings)
        {
            rows.Add(new SheetRow([string.Create(CultureInfo.InvariantCulture, $"Showing the first {MaxFindings:N0} of {total:N0} annotated rows; annotations.json lists them all.")]));
        }
        rows.Add(new SheetRow([.. RowAnnotationHeaders, .. annotations.Fields], SheetRowStyle.Header));
        var listed = 0;
        foreach (var table in annotations.Tables)
        {
            foreach (var (number, values) in table.Rows.OrderBy(r => r.Key))
            {
                if (listed++ >= MaxFindings)
                {
                    return;
                }
                var cells = new List<object?> { table.Sheet ?? dataSheet, table.Table, number };
                cells.AddRange(annotations.Fields.Select(f => (object?)(values.TryGetValue(f, out var v) && v is not null ? RowColumns.CellText(v) : null)));
                rows.Add(new SheetRow(cells));
            }
        }
        if (total == 0)
        {
            rows.Add(new SheetRow(["(no annotated rows)"]));
        }
    }

    /// <summary>The cell as text, for widths and for writers that only write text.</summary>
    public static string Render(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "TRUE" : "FALSE",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    /// <summary>Cuts text to what one cell can hold, never between the two halves of a surrogate pair (XML cannot hold half of one).</summary>
    public static string Fit(string text)
    {
        if (text.Length <= MaxCellText)
        {
            return text;
        }
        var keep = MaxCellText - 1;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }
        return text[..keep] + "…";
    }

    private static string Statistics(Document document, DocumentStatistics? statistics)
    {
        if (statistics is null)
        {
            var tables = document.Blocks.OfType<TableBlock>().ToList();
            return $"{document.Sheets.Count} sheets, {tables.Count} tables";
        }
        var parts = new List<string>();
        if (statistics.Sheets is { } sheets)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{sheets:N0} sheets"));
        }
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"{statistics.Tables:N0} tables"));
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"{statistics.Rows:N0} rows"));
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"{statistics.Words:N0} words"));
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"{statistics.Characters:N0} characters"));
        return string.Join(", ", parts);
    }

    private static string ColumnLetter(ColumnProfile column)
    {
        if (column.Range is { Length: > 0 } range)
        {
            var letters = new string(range.TakeWhile(char.IsAsciiLetter).ToArray());
            if (letters.Length > 0)
            {
                return letters;
            }
        }
        return (column.Index + 1).ToString(CultureInfo.InvariantCulture);
    }

    private static string? Describe(SourceLocation location) =>
        location.Page is { } page ? "page " + page.ToString(CultureInfo.InvariantCulture)
        : location.Line is { } line ? "line " + line.ToString(CultureInfo.InvariantCulture)
        : null;
}
