using System.Buffers;
using System.Globalization;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Writers.Xlsx;

/// <summary>
/// Writes a worksheet part's XML straight to a stream as UTF-8: the few elements a generated sheet needs (frozen header
/// rows, column widths, rows of number, boolean, error and inline-string cells). The SDK's <c>OpenXmlWriter</c> writes
/// the same XML from an element object per cell, which costs several microseconds a cell (100,000 findings in the
/// Annotations sheet took about 1.5 s of a large workbook's output), and an <see cref="System.Xml.XmlWriter"/> checks
/// each element, attribute and string it is given (0.5 s for the same sheet); the markup here is fixed, so only the
/// text is escaped. Cell references are written from a cache of column names and the row's digits.
/// </summary>
internal sealed class SheetXmlWriter : IDisposable
{
    private const int BufferBytes = 64 * 1024;

    /// <summary>What text cannot hold as it is: the markup characters, and those XML 1.0 has no place for.</summary>
    private static readonly SearchValues<char> Special = SearchValues.Create(
        "&<>\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000C\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\uFFFE\uFFFF");

    private readonly Stream _stream;
    private readonly List<byte[]> _columnNames = [];
    private byte[]? _bytes = ArrayPool<byte>.Shared.Rent(BufferBytes);
    private int _used;
    private long _row;
    private bool _inSheetData;

    /// <summary>Starts the worksheet in <paramref name="stream"/>.</summary>
    public SheetXmlWriter(Stream stream)
    {
        _stream = stream;
        Raw("<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"u8);
    }

    /// <summary>Freezes the first <paramref name="rows"/> rows (nothing when 0); before <see cref="Columns"/> and the rows.</summary>
    public void FrozenRows(int rows)
    {
        if (rows <= 0)
        {
            return;
        }
        Raw("<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\""u8);
        Number(rows);
        Raw("\" topLeftCell=\"A"u8);
        Number(rows + 1L);
        Raw("\" activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\" activeCell=\"A"u8);
        Number(rows + 1L);
        Raw("\" sqref=\"A"u8);
        Number(rows + 1L);
        Raw("\"/></sheetView></sheetViews>"u8);
    }

    /// <summary>Sets the width of columns A, B, … in turn.</summary>
    public void Columns(IReadOnlyList<double> widths)
    {
        Raw("<cols>"u8);
        for (var c = 0; c < widths.Count; c++)
        {
            Raw("<col min=\""u8);
            Number(c + 1L);
            Raw("\" max=\""u8);
            Number(c + 1L);
            Raw("\" width=\""u8);
            Number(widths[c]);
            Raw("\" customWidth=\"1\"/>"u8);
        }
        Raw("</cols>"u8);
    }

    /// <summary>Opens the sheet data, which holds the rows.</summary>
    public void StartSheetData()
    {
        Raw("<sheetData>"u8);
        _inSheetData = true;
    }

    /// <summary>Opens row <paramref name="number"/> (1-based, increasing).</summary>
    public void StartRow(long number)
    {
        _row = number;
        Raw("<row r=\""u8);
        Number(number);
        Raw("\">"u8);
    }

    /// <summary>Closes the row.</summary>
    public void EndRow() => Raw("</row>"u8);

    /// <summary>A number in column <paramref name="column"/> (1-based) of the open row.</summary>
    public void Number(int column, double value, uint style)
    {
        StartCell(column, style, ""u8);
        Raw("<v>"u8);
        Number(value);
        Raw("</v></c>"u8);
    }

    /// <summary>A boolean in column <paramref name="column"/> of the open row.</summary>
    public void Boolean(int column, bool value, uint style)
    {
        StartCell(column, style, " t=\"b\""u8);
        Raw(value ? "<v>1</v></c>"u8 : "<v>0</v></c>"u8);
    }

    /// <summary>An error value (<c>#N/A</c> and the like) in column <paramref name="column"/> of the open row.</summary>
    public void Error(int column, string text)
    {
        StartCell(column, 0, " t=\"e\""u8);
        Raw("<v>"u8);
        Escaped(text);
        Raw("</v></c>"u8);
    }

    /// <summary>
    /// An inline string in column <paramref name="column"/> of the open row, cut to what a cell holds;
    /// <paramref name="text"/> must already be free of characters XML cannot hold (an <see cref="ArgumentException"/> otherwise).
    /// </summary>
    public void Text(int column, string text, uint style)
    {
        StartCell(column, style, " t=\"inlineStr\""u8);
        Raw("<is><t xml:space=\"preserve\">"u8);
        Escaped(AnnotationSheetContent.Fit(text));
        Raw("</t></is></c>"u8);
    }

    /// <summary>Closes the sheet data and the worksheet, and flushes.</summary>
    public void Finish()
    {
        if (_inSheetData)
        {
            Raw("</sheetData>"u8);
            _inSheetData = false;
        }
        Raw("</worksheet>"u8);
        Flush();
        _stream.Flush();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_bytes is null)
        {
            return;
        }
        Flush();
        ArrayPool<byte>.Shared.Return(_bytes);
        _bytes = null;
    }

    /// <summary>The reference of column <paramref name="column"/> (1-based) in the open row, as text (for notices).</summary>
    public string Reference(int column) => CellReferences.Reference(column, _row);

    private void StartCell(int column, uint style, ReadOnlySpan<byte> type)
    {
        Raw("<c r=\""u8);
        Raw(ColumnName(column));
        Number(_row);
        if (style != 0)
        {
            Raw("\" s=\""u8);
            Number((long)style);
        }
        Raw("\""u8);
        Raw(type);
        Raw(">"u8);
    }

    private ReadOnlySpan<byte> ColumnName(int column)
    {
        while (_columnNames.Count < column && _columnNames.Count < 1024)
        {
            _columnNames.Add(System.Text.Encoding.ASCII.GetBytes(CellReferences.ColumnName(_columnNames.Count + 1)));
        }
        return column <= _columnNames.Count ? _columnNames[column - 1] : System.Text.Encoding.ASCII.GetBytes(CellReferences.ColumnName(column));
    }

    private void Number(long value)
    {
        value.TryFormat(Free(20), out var written, default, CultureInfo.InvariantCulture);
        _used += written;
    }

    private void Number(double value)
    {
        value.TryFormat(Free(32), out var written, "R", CultureInfo.InvariantCulture);
        _used += written;
    }

    /// <summary>Text content: the markup characters as entities; a character XML cannot hold, or a lone surrogate, refused.</summary>
    private void Escaped(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var stop = text.IndexOfAny(Special);
            Utf8(stop < 0 ? text : text[..stop]);
            if (stop < 0)
            {
                return;
            }
            Raw(text[stop] switch
            {
                '&' => "&amp;"u8,
                '<' => "&lt;"u8,
                '>' => "&gt;"u8,
                var c => throw new ArgumentException($"The character U+{(int)c:X4} cannot be written in XML.", nameof(text)),
            });
            text = text[(stop + 1)..];
        }
    }

    private void Utf8(ReadOnlySpan<char> text)
    {
        while (true)
        {
            var status = System.Text.Unicode.Utf8.FromUtf16(text, Free(4), out var read, out var written, replaceInvalidSequences: false);
            _used += written;
            switch (status)
            {
                case OperationStatus.Done:
                    return;
                case OperationStatus.DestinationTooSmall:
                    text = text[read..];
                    Flush();
                    break;
                default:
                    throw new ArgumentException("The text holds a lone surrogate, which cannot be written in XML.", nameof(text));
            }
        }
    }

    private void Raw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > BufferBytes)
        {
            Flush();
            _stream.Write(bytes);
            return;
        }
        bytes.CopyTo(Free(bytes.Length));
        _used += bytes.Length;
    }

    /// <summary>The free part of the buffer, at least <paramref name="bytes"/> long (written out first if need be).</summary>
    private Span<byte> Free(int bytes)
    {
        var buffer = _bytes ?? throw new ObjectDisposedException(nameof(SheetXmlWriter));
        if (buffer.Length - _used < bytes)
        {
            Flush();
        }
        return buffer.AsSpan(_used);
    }

    private void Flush()
    {
        if (_used > 0 && _bytes is not null)
        {
            _stream.Write(_bytes, 0, _used);
            _used = 0;
        }
    }
}
