using System.Globalization;
using System.Text;
using Annotate.Annotators.Documents;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>Reads a worksheet part row by row from its XML events, typing each cell the way Excel shows it.</summary>
internal sealed class StreamingCellReader(IReadOnlyList<string> sharedStrings, StreamingStyles styles)
{
    /// <summary>Yields the rows holding at least one non-empty cell; collects merged ranges when <paramref name="merged"/> is given.</summary>
    public IEnumerable<RawRow> ReadRows(WorksheetPart part, List<CellRange>? merged, CancellationToken cancellationToken)
    {
        using var reader = OpenXmlReader.Create(part);
        long rowNumber = 0;
        var cells = new List<RawCell>();
        var inRow = false;
        var column = 0;
        while (reader.Read())
        {
            var type = reader.ElementType;
            if (type == typeof(Row))
            {
                if (reader.IsStartElement)
                {
                    rowNumber = long.TryParse(Attribute(reader, "r"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : rowNumber + 1;
                    cells.Clear();
                    column = 0;
                    inRow = true;
                }
                else
                {
                    inRow = false;
                    if (cells.Count > 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        cells.Sort((a, b) => a.Column.CompareTo(b.Column));
                        yield return new RawRow(rowNumber, cells.ToArray());
                        cells.Clear();
                    }
                }
            }
            else if (type == typeof(Cell) && reader.IsStartElement && inRow)
            {
                var cell = ReadCell(reader, ref column);
                if (!cell.Value.IsEmpty)
                {
                    cells.Add(cell);
                }
            }
            else if (type == typeof(SheetData) && reader.IsEndElement && merged is null)
            {
                yield break; // merged ranges and the rest of the sheet only matter to the first pass
            }
            else if (type == typeof(MergeCell) && reader.IsStartElement && merged is not null
                && CellRange.TryParse(Attribute(reader, "ref"), out var range))
            {
                merged.Add(range);
            }
        }
    }

    private RawCell ReadCell(OpenXmlReader reader, ref int column)
    {
        string? reference = null, type = null, style = null;
        foreach (var attribute in reader.Attributes)
        {
            switch (attribute.LocalName)
            {
                case "r": reference = attribute.Value; break;
                case "t": type = attribute.Value; break;
                case "s": style = attribute.Value; break;
            }
        }
        column = reference is not null && CellRange.TryParseCell(reference, out var c, out _) ? c : column + 1;
        var styleIndex = int.TryParse(style, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;

        string? value = null;
        string? formula = null;
        StringBuilder? inline = null;
        var phonetic = 0;
        var inInline = false;
        // Walk the cell's children: <v>, <f>, <is> (inline string, possibly rich text with phonetic runs).
        while (reader.Read())
        {
            var elementType = reader.ElementType;
            if (elementType == typeof(Cell) && reader.IsEndElement)
            {
                break;
            }
            if (!reader.IsStartElement)
            {
                if (elementType == typeof(PhoneticRun))
                {
                    phonetic--;
                }
                else if (elementType == typeof(InlineString))
                {
                    inInline = false;
                }
                continue;
            }
            if (elementType == typeof(DocumentFormat.OpenXml.Spreadsheet.CellValue))
            {
                value = reader.GetText();
            }
            else if (elementType == typeof(CellFormula))
            {
                // Cells sharing a master's formula carry an empty <f t="shared" si=".."/>: the formula exists, its text is the master's.
                formula = reader.GetText() ?? string.Empty;
            }
            else if (elementType == typeof(InlineString))
            {
                inInline = true;
                inline ??= new StringBuilder();
            }
            else if (elementType == typeof(PhoneticRun))
            {
                phonetic++;
            }
            else if (elementType == typeof(Text) && inInline && phonetic == 0)
            {
                inline!.Append(reader.GetText());
            }
        }
        return new RawCell(column, Convert(type, value, inline?.ToString(), formula, styleIndex), styles.IsBold(styleIndex));
    }

    private Documents.CellValue Convert(string? type, string? value, string? inline, string? formula, int styleIndex)
    {
        switch (type)
        {
            case "s":
                return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < sharedStrings.Count
                    ? Documents.CellValue.FromText(sharedStrings[index]) with { Formula = formula }
                    : Documents.CellValue.Empty with { Formula = formula };
            case "inlineStr":
                return Documents.CellValue.FromText(inline ?? value) with { Formula = formula };
            case "str":
                return Documents.CellValue.FromText(value) with { Formula = formula };
            case "b":
                return string.IsNullOrEmpty(value)
                    ? Documents.CellValue.Empty with { Formula = formula }
                    : Documents.CellValue.FromBoolean(value is "1" or "true", formula);
            case "e":
                return string.IsNullOrEmpty(value) ? Documents.CellValue.Empty with { Formula = formula } : Documents.CellValue.FromError(value, formula);
            case "d":
                return DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var iso)
                    ? Documents.CellValue.FromDateTime(iso, formula)
                    : Documents.CellValue.FromText(value) with { Formula = formula };
            default:
                if (string.IsNullOrEmpty(value))
                {
                    return Documents.CellValue.Empty with { Formula = formula };
                }
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return Documents.CellValue.FromText(value) with { Formula = formula };
                }
                return styles.IsDate(styleIndex) && OaDates.TryConvert(number, out var date)
                    ? Documents.CellValue.FromDateTime(date, formula)
                    : Documents.CellValue.FromNumber(number, formula);
        }
    }

    private static string? Attribute(OpenXmlReader reader, string localName)
    {
        foreach (var attribute in reader.Attributes)
        {
            if (attribute.LocalName == localName)
            {
                return attribute.Value;
            }
        }
        return null;
    }
}
