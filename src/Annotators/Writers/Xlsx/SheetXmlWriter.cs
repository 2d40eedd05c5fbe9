using System.Globalization;
using System.Xml;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Writers.Xlsx;

/// <summary>
/// Writes a worksheet part's XML straight to a stream: the few elements a generated sheet needs (frozen header rows,
/// column widths, rows of number, boolean, error and inline-string cells). The SDK's <c>OpenXmlWriter</c> writes the
/// same XML from an element object per cell (a cell, its value or inline string and text), which costs several
/// microseconds a cell: 100,000 findings in the Annotations sheet took about 1.5 s of a large workbook's output.
/// Cell references are written from a column-name cache and the row's digits, not built as strings.
/// </summary>
internal sealed class SheetXmlWriter : IDisposable
{
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new System.Text.UTF8Encoding(false),
        Indent = false,
        NewLineHandling = NewLineHandling.None,
        CloseOutput = false,
    };

    private readonly XmlWriter _xml;
    private readonly List<string> _columnNames = [];
    private readonly char[] _buffer = new char[64];
    private long _row;

    /// <summary>Starts the worksheet in <paramref name="stream"/>.</summary>
    public SheetXmlWriter(Stream stream)
    {
        _xml = XmlWriter.Create(stream, Settings);
        _xml.WriteStartDocument(standalone: true);
        _xml.WriteStartElement("worksheet", Main);
    }

    /// <summary>Freezes the first <paramref name="rows"/> rows (nothing when 0); before <see cref="Columns"/> and the rows.</summary>
    public void FrozenRows(int rows)
    {
        if (rows <= 0)
        {
            return;
        }
        var topLeft = "A" + (rows + 1).ToString(CultureInfo.InvariantCulture);
        _xml.WriteStartElement("sheetViews", Main);
        _xml.WriteStartElement("sheetView", Main);
        _xml.WriteAttributeString("workbookViewId", "0");
        _xml.WriteStartElement("pane", Main);
        _xml.WriteAttributeString("ySplit", rows.ToString(CultureInfo.InvariantCulture));
        _xml.WriteAttributeString("topLeftCell", topLeft);
        _xml.WriteAttributeString("activePane", "bottomLeft");
        _xml.WriteAttributeString("state", "frozen");
        _xml.WriteEndElement();
        _xml.WriteStartElement("selection", Main);
        _xml.WriteAttributeString("pane", "bottomLeft");
        _xml.WriteAttributeString("activeCell", topLeft);
        _xml.WriteAttributeString("sqref", topLeft);
        _xml.WriteEndElement();
        _xml.WriteEndElement();
        _xml.WriteEndElement();
    }

    /// <summary>Sets the width of columns A, B, … in turn.</summary>
    public void Columns(IReadOnlyList<double> widths)
    {
        _xml.WriteStartElement("cols", Main);
        for (var c = 0; c < widths.Count; c++)
        {
            _xml.WriteStartElement("col", Main);
            _xml.WriteAttributeString("min", (c + 1).ToString(CultureInfo.InvariantCulture));
            _xml.WriteAttributeString("max", (c + 1).ToString(CultureInfo.InvariantCulture));
            _xml.WriteAttributeString("width", widths[c].ToString("R", CultureInfo.InvariantCulture));
            _xml.WriteAttributeString("customWidth", "1");
            _xml.WriteEndElement();
        }
        _xml.WriteEndElement();
    }

    /// <summary>Opens the sheet data, which holds the rows.</summary>
    public void StartSheetData() => _xml.WriteStartElement("sheetData", Main);

    /// <summary>Opens row <paramref name="number"/> (1-based, increasing).</summary>
    public void StartRow(long number)
    {
        _row = number;
        _xml.WriteStartElement("row", Main);
        _xml.WriteStartAttribute("r");
        WriteLong(number);
        _xml.WriteEndAttribute();
    }

    /// <summary>Closes the row.</summary>
    public void EndRow() => _xml.WriteEndElement();

    /// <summary>A number in column <paramref name="column"/> (1-based) of the open row.</summary>
    public void Number(int column, double value, uint style)
    {
        StartCell(column, style, null);
        _xml.WriteStartElement("v", Main);
        value.TryFormat(_buffer, out var written, "R", CultureInfo.InvariantCulture);
        _xml.WriteChars(_buffer, 0, written);
        _xml.WriteEndElement();
        _xml.WriteEndElement();
    }

    /// <summary>A boolean in column <paramref name="column"/> of the open row.</summary>
    public void Boolean(int column, bool value, uint style)
    {
        StartCell(column, style, "b");
        _xml.WriteElementString("v", Main, value ? "1" : "0");
        _xml.WriteEndElement();
    }

    /// <summary>An error value (<c>#N/A</c> and the like) in column <paramref name="column"/> of the open row.</summary>
    public void Error(int column, string text)
    {
        StartCell(column, 0, "e");
        _xml.WriteElementString("v", Main, text);
        _xml.WriteEndElement();
    }

    /// <summary>
    /// An inline string in column <paramref name="column"/> of the open row, cut to what a cell holds;
    /// <paramref name="text"/> must already be free of characters XML cannot hold.
    /// </summary>
    public void Text(int column, string text, uint style)
    {
        StartCell(column, style, "inlineStr");
        _xml.WriteStartElement("is", Main);
        _xml.WriteStartElement("t", Main);
        _xml.WriteAttributeString("xml", "space", null, "preserve");
        _xml.WriteString(AnnotationSheetContent.Fit(text));
        _xml.WriteEndElement();
        _xml.WriteEndElement();
        _xml.WriteEndElement();
    }

    /// <summary>Closes the sheet data and the worksheet, and flushes.</summary>
    public void Finish()
    {
        _xml.WriteEndElement();
        _xml.WriteEndElement();
        _xml.WriteEndDocument();
        _xml.Flush();
    }

    /// <inheritdoc />
    public void Dispose() => _xml.Dispose();

    /// <summary>The reference of column <paramref name="column"/> (1-based) in the open row, as text (for notices).</summary>
    public string Reference(int column) => ColumnName(column) + _row.ToString(CultureInfo.InvariantCulture);

    private void StartCell(int column, uint style, string? type)
    {
        _xml.WriteStartElement("c", Main);
        _xml.WriteStartAttribute("r");
        _xml.WriteString(ColumnName(column));
        WriteLong(_row);
        _xml.WriteEndAttribute();
        if (style != 0)
        {
            _xml.WriteStartAttribute("s");
            WriteLong(style);
            _xml.WriteEndAttribute();
        }
        if (type is not null)
        {
            _xml.WriteAttributeString("t", type);
        }
    }

    private void WriteLong(long value)
    {
        value.TryFormat(_buffer, out var written, default, CultureInfo.InvariantCulture);
        _xml.WriteChars(_buffer, 0, written);
    }

    private string ColumnName(int column)
    {
        while (_columnNames.Count < column && _columnNames.Count < 1024)
        {
            _columnNames.Add(CellReferences.ColumnName(_columnNames.Count + 1));
        }
        return column <= _columnNames.Count ? _columnNames[column - 1] : CellReferences.ColumnName(column);
    }
}
