using System.Globalization;
using System.Text;
using Annotate.Annotators.Documents;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>Reads a worksheet part row by row from its XML events, typing each cell the way Excel shows it.</summary>
internal sealed class StreamingCellReader(IReadOnlyList<string> sharedStrings, StreamingStyles styles)
{
    private const string StrictNamespace = "http://purl.oclc.org/ooxml/spreadsheetml/main";

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    /// <summary>
    /// Yields the rows holding at least one non-empty cell; collects merged ranges when <paramref name="merged"/> is given.
    /// The sheet part is located through the OpenXml SDK but its XML is read with a plain <see cref="XmlReader"/>:
    /// <see cref="OpenXmlReader"/> allocates an element object per XML node, which made the streaming path
    /// five times slower than the cells themselves warrant (see bench/Annotate.Bench).
    /// </summary>
    public IEnumerable<RawRow> ReadRows(WorksheetPart part, List<CellRange>? merged, CancellationToken cancellationToken)
    {
        using var reader = XmlReader.Create(part.GetStream(FileMode.Open, FileAccess.Read), Settings);
        long rowNumber = 0;
        var cells = new List<RawCell>();
        var inRow = false;
        var column = 0;
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element)
            {
                if (!IsSpreadsheetMl(reader.NamespaceURI))
                {
                    continue;
                }
                switch (reader.LocalName)
                {
                    case "row":
                        rowNumber = long.TryParse(reader.GetAttribute("r"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : rowNumber + 1;
                        cells.Clear();
                        column = 0;
                        inRow = !reader.IsEmptyElement;
                        break;
                    case "c" when inRow:
                        var cell = ReadCell(reader, ref column);
                        if (!cell.Value.IsEmpty)
                        {
                            cells.Add(cell);
                        }
                        break;
                    case "mergeCell" when merged is not null:
                        if (CellRange.TryParse(reader.GetAttribute("ref"), out var range))
                        {
                            merged.Add(range);
                        }
                        break;
                }
            }
            else if (reader.NodeType == XmlNodeType.EndElement && IsSpreadsheetMl(reader.NamespaceURI))
            {
                if (reader.LocalName == "row")
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
                else if (reader.LocalName == "sheetData" && merged is null)
                {
                    yield break; // merged ranges and the rest of the sheet only matter to the first pass
                }
            }
        }
    }

    private static bool IsSpreadsheetMl(string namespaceUri) =>
        namespaceUri.Length == 0 || namespaceUri == MainNamespace || namespaceUri == StrictNamespace;

    private const string MainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    private RawCell ReadCell(XmlReader reader, ref int column)
    {
        var reference = reader.GetAttribute("r");
        var type = reader.GetAttribute("t");
        var style = reader.GetAttribute("s");
        column = reference is not null && CellRange.TryParseCell(reference, out var c, out _) ? c : column + 1;
        var styleIndex = int.TryParse(style, NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;

        string? value = null;
        string? formula = null;
        StringBuilder? inline = null;
        if (!reader.IsEmptyElement)
        {
            var depth = reader.Depth;
            reader.Read();
            // Walk the cell's children: <v>, <f>, <is> (inline string, possibly rich text with phonetic runs).
            while (!(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth) && !reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element)
                {
                    switch (reader.LocalName)
                    {
                        case "v":
                            value = reader.ReadElementContentAsString();
                            continue;
                        case "f":
                            // Cells sharing a master's formula carry an empty <f t="shared" si=".."/>: the formula exists, its text is the master's.
                            formula = reader.ReadElementContentAsString();
                            continue;
                        case "rPh":
                            reader.Skip();
                            continue;
                        case "t":
                            (inline ??= new StringBuilder()).Append(reader.ReadElementContentAsString());
                            continue;
                    }
                }
                reader.Read();
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
}
