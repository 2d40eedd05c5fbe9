using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Annotate.Annotators.Documents;
using Microsoft.Win32.SafeHandles;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// A sheet's rows as the reader's one pass over the XML typed them, written to a compact binary file so that every
/// later enumeration (statistics, profiles, patterns, writers) scans it instead of inflating and parsing the package
/// again. Per cell: its column, a flags word (kind, bold, which parts follow), then the parts: number, date, the text
/// (as a shared-string index when it is one, so a cell naming a 32,767-character string costs a few bytes, as in the
/// XML), display and formula. The file is unlinked as soon as it is created: the open handle keeps it, it is deleted
/// when the handle closes (the table is collected, or the process ends), and nothing is left behind after a crash.
/// Written once by one thread, then read by any number of enumerators, each with its own offset.
/// </summary>
internal sealed partial class SheetRowSpill : IDisposable
{
    private const int BufferBytes = 64 * 1024;

    /// <summary>Row widths whose cell arrays a transient scan hands out again.</summary>
    private const int ReusedWidths = 256;

    [Flags]
    private enum Parts : ushort
    {
        None = 0,
        KindMask = 0x7,
        Bold = 1 << 3,
        Number = 1 << 4,
        Date = 1 << 5,
        Boolean = 1 << 6,
        BooleanTrue = 1 << 7,
        Text = 1 << 8,
        SharedText = 1 << 9,
        Display = 1 << 10,
        Formula = 1 << 11,
    }

    private readonly SafeFileHandle _file;
    private readonly SharedStringTable _sharedStrings;
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
    private int _buffered;
    private long _length;
    private bool _sealed;

    private SheetRowSpill(SafeFileHandle file, SharedStringTable sharedStrings)
    {
        _file = file;
        _sharedStrings = sharedStrings;
    }

    /// <summary>Rows written.</summary>
    public long RowCount { get; private set; }

    /// <summary>Bytes written.</summary>
    public long Length => _length + _buffered;

    /// <summary>Creates an empty spill in <paramref name="folder"/> (the temporary folder when null).</summary>
    public static SheetRowSpill Create(SharedStringTable sharedStrings, string? folder = null)
    {
        var path = Path.Combine(folder ?? Path.GetTempPath(), "annotate-rows-" + Guid.NewGuid().ToString("N") + ".bin");
        var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Delete, FileOptions.DeleteOnClose);
        if (!OperatingSystem.IsWindows())
        {
            File.Delete(path);
        }
        return new SheetRowSpill(file, sharedStrings);
    }

    /// <summary>A spill in the temporary folder, or null when the file cannot be made (rows are then read again from the source).</summary>
    public static SheetRowSpill? TryCreate(SharedStringTable sharedStrings)
    {
        try
        {
            return Create(sharedStrings);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Appends <paramref name="row"/> to <paramref name="spill"/>; null when there is no spill or the disk filled up (it is dropped).</summary>
    public static SheetRowSpill? TryAdd(SheetRowSpill? spill, RawRow row)
    {
        if (spill is null)
        {
            return null;
        }
        try
        {
            spill.Add(row);
            return spill;
        }
        catch (IOException)
        {
            spill.Dispose();
            return null;
        }
    }

    /// <summary>Appends a row; <see cref="RawCell.SharedString"/> tells a text that came from the shared strings.</summary>
    public void Add(RawRow row)
    {
        if (_sealed)
        {
            throw new InvalidOperationException("the spill is sealed");
        }
        // Room for the row header; each cell makes its own room.
        Ensure(20);
        WriteVarint((ulong)row.Number);
        var cells = row.Cells;
        WriteVarint((uint)cells.Count);
        // By index: a foreach over the list's interface would allocate an enumerator per row.
        for (var c = 0; c < cells.Count; c++)
        {
            WriteCell(cells[c]);
        }
        RowCount++;
    }

    /// <summary>Flushes what is buffered; after it the spill is read-only.</summary>
    public void Seal()
    {
        if (_sealed)
        {
            return;
        }
        Flush();
        _sealed = true;
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Every row, in the order written.</summary>
    public IEnumerable<RawRow> Read() => Read(reuseCells: false);

    /// <summary>
    /// Every row, in the order written, for a caller that copies each row's cells before it asks for the next (the
    /// table projections do): a row's cell array is handed out again for every later row of as many cells, so a scan of
    /// a million rows does not leave a million arrays for the collector.
    /// </summary>
    public IEnumerable<RawRow> ReadTransient() => Read(reuseCells: true);

    /// <summary>
    /// The rows numbered <paramref name="firstRow"/> to <paramref name="lastRow"/> that hold a value inside the columns
    /// <paramref name="firstColumn"/> to <paramref name="firstColumn"/> + <paramref name="width"/> − 1 (every row in that
    /// range when <paramref name="keepEmptyRows"/>), each row's values aligned to those columns in one list handed out
    /// again for every row (<see cref="ITableRows.Scan"/>): decoded straight into place, without a cell record per
    /// cell, and once for all the scans of the same rows that run at the same time.
    /// </summary>
    public IEnumerable<TableRow> ScanAligned(int firstColumn, int width, long firstRow, long lastRow, bool keepEmptyRows = false)
    {
        ThrowUnlessSealed();
        return ScanShared(new Region(firstColumn, width, firstRow, lastRow, keepEmptyRows));
    }

    private IEnumerable<RawRow> Read(bool reuseCells)
    {
        ThrowUnlessSealed();
        return ReadRows(reuseCells);
    }

    private IEnumerable<RawRow> ReadRows(bool reuseCells)
    {
        // One array per row width up to ReusedWidths (a sheet's rows leave out their empty cells, so widths vary).
        var reused = reuseCells ? new RawCell[]?[ReusedWidths + 1] : null;
        var reader = new SpillReader(_file, _length);
        var strings = _sharedStrings.Scan();
        try
        {
            for (long i = 0; i < RowCount; i++)
            {
                var (number, count) = RowHeader(ref reader);
                RawCell[] cells;
                if (reused is not null && count <= ReusedWidths)
                {
                    cells = reused[count] ??= new RawCell[count];
                }
                else
                {
                    cells = new RawCell[count];
                }
                for (var c = 0; c < count; c++)
                {
                    cells[c] = ReadCell(ref reader, strings);
                }
                yield return new RawRow(number, cells);
            }
        }
        finally
        {
            reader.Dispose();
        }
    }

    private void ThrowUnlessSealed()
    {
        if (!_sealed)
        {
            throw new InvalidOperationException("the spill is read only once it is sealed");
        }
    }

    /// <summary>A row's number and cell count, as <see cref="Add"/> wrote them.</summary>
    private static (long Number, int Count) RowHeader(ref SpillReader reader)
    {
        reader.Ensure(20);
        var number = (long)reader.Varint();
        return (number, (int)reader.Varint());
    }

    private void WriteCell(RawCell cell)
    {
        var value = cell.Value;
        var parts = (Parts)(ushort)value.Kind;
        if (cell.Bold)
        {
            parts |= Parts.Bold;
        }
        if (value.Number is not null)
        {
            parts |= Parts.Number;
        }
        if (value.DateTime is not null)
        {
            parts |= Parts.Date;
        }
        if (value.Boolean is { } b)
        {
            parts |= Parts.Boolean | (b ? Parts.BooleanTrue : Parts.None);
        }
        // The reader gives a cut shared string its own text and no index, so an index always names the whole string.
        var shared = cell.SharedString >= 0;
        if (shared)
        {
            parts |= Parts.SharedText;
        }
        else if (value.HasGivenText && !IsDerivedText(value))
        {
            // A number's or date's text is rendered from the value when asked for, so it is not stored.
            parts |= Parts.Text;
        }
        if (value.Display is not null)
        {
            parts |= Parts.Display;
        }
        if (value.Formula is not null)
        {
            parts |= Parts.Formula;
        }
        Ensure(5 + 2 + 8 + 8 + 5 + 5);
        WriteVarint((uint)cell.Column);
        WriteVarint((ushort)parts);
        if (value.Number is { } number)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_buffered), number);
            _buffered += 8;
        }
        if (value.DateTime is { } date)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(_buffered), date.ToBinary());
            _buffered += 8;
        }
        if (shared)
        {
            WriteVarint((uint)cell.SharedString);
        }
        else if ((parts & Parts.Text) != 0)
        {
            WriteString(value.Text ?? string.Empty);
        }
        if (value.Display is { } display)
        {
            WriteString(display);
        }
        if (value.Formula is { } formula)
        {
            WriteString(formula);
        }
    }

    /// <summary>Empty cells and booleans need no text: it follows from the kind and value.</summary>
    private static bool IsDerivedText(CellValue value) =>
        (value.Kind == CellKind.Empty && value.Text is { Length: 0 })
        || (value.Kind == CellKind.Boolean && value.Boolean is { } b && ReferenceEquals(value.Text, BooleanText(b)));

    private static string BooleanText(bool value) => value ? "TRUE" : "FALSE";

    private static RawCell ReadCell(ref SpillReader reader, SharedStringScan strings)
    {
        var value = DecodeCell(ref reader, strings, out var column, out var bold, out var index);
        return new RawCell(column, value, bold, index);
    }

    private static CellValue DecodeCell(ref SpillReader reader, SharedStringScan strings, out int column, out bool bold, out int index)
    {
        reader.Ensure(5 + 3 + 8 + 8 + 5 + 5);
        column = (int)reader.Varint();
        var parts = (Parts)reader.Varint();
        var kind = (CellKind)(ushort)(parts & Parts.KindMask);
        double? number = (parts & Parts.Number) != 0 ? reader.Double() : null;
        DateTime? date = (parts & Parts.Date) != 0 ? DateTime.FromBinary(reader.Int64()) : null;
        bool? boolean = (parts & Parts.Boolean) != 0 ? (parts & Parts.BooleanTrue) != 0 : null;
        string? text;
        index = -1;
        if ((parts & Parts.SharedText) != 0)
        {
            index = (int)reader.Varint();
            text = strings[index];
        }
        else if ((parts & Parts.Text) != 0)
        {
            text = reader.String();
        }
        else
        {
            // Numbers and dates render their text when asked for it.
            text = kind == CellKind.Boolean && boolean is { } b ? BooleanText(b) : kind is CellKind.Number or CellKind.DateTime ? null : string.Empty;
        }
        var display = (parts & Parts.Display) != 0 ? reader.String() : null;
        var formula = (parts & Parts.Formula) != 0 ? reader.String() : null;
        bold = (parts & Parts.Bold) != 0;
        return new CellValue { Kind = kind, Text = text!, Number = number, DateTime = date, Boolean = boolean, Display = display, Formula = formula };
    }

    private void WriteString(string text)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        Ensure(5 + bytes);
        WriteVarint((uint)bytes);
        if (bytes <= _buffer!.Length - _buffered)
        {
            _buffered += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_buffered));
            return;
        }
        // Longer than the buffer (a row's text can reach MaxRowCharacters): written straight through.
        Flush();
        var encoded = Encoding.UTF8.GetBytes(text);
        RandomAccess.Write(_file, encoded, _length);
        _length += encoded.Length;
    }

    private void WriteVarint(ulong value)
    {
        var buffer = _buffer!;
        while (value >= 0x80)
        {
            buffer[_buffered++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[_buffered++] = (byte)value;
    }

    private void Ensure(int bytes)
    {
        if (_buffer!.Length - _buffered < bytes)
        {
            Flush();
        }
    }

    private void Flush()
    {
        if (_buffered == 0 || _buffer is null)
        {
            return;
        }
        RandomAccess.Write(_file, _buffer.AsSpan(0, _buffered), _length);
        _length += _buffered;
        _buffered = 0;
    }

    public void Dispose()
    {
        _sealed = true;
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _file.Dispose();
    }

    /// <summary>A forward reader over the spill with its own pooled buffer and offset.</summary>
    private struct SpillReader(SafeFileHandle file, long length, long start = 0) : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        private int _position;
        private int _end;
        private long _offset = start;

        /// <summary>Where in the file the next byte read comes from.</summary>
        public readonly long Position => _offset - (_end - _position);

        /// <summary>Makes the next <paramref name="bytes"/> bytes (or what is left of the file) available in the buffer.</summary>
        public void Ensure(int bytes)
        {
            if (_end - _position >= bytes || _offset >= length)
            {
                return;
            }
            var left = _end - _position;
            if (_buffer.Length < bytes)
            {
                var larger = ArrayPool<byte>.Shared.Rent(bytes);
                _buffer.AsSpan(_position, left).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }
            else
            {
                _buffer.AsSpan(_position, left).CopyTo(_buffer);
            }
            _position = 0;
            _end = left;
            while (_end < _buffer.Length && _offset < length)
            {
                var read = RandomAccess.Read(file, _buffer.AsSpan(_end, (int)Math.Min(_buffer.Length - _end, length - _offset)), _offset);
                if (read == 0)
                {
                    throw new EndOfStreamException("the row spill ended early");
                }
                _end += read;
                _offset += read;
            }
        }

        public ulong Varint()
        {
            ulong value = 0;
            var shift = 0;
            while (true)
            {
                if (_position >= _end || shift > 63)
                {
                    throw new InvalidDataException("the row spill is damaged");
                }
                var b = _buffer[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
                shift += 7;
            }
        }

        public double Double()
        {
            var value = BinaryPrimitives.ReadDoubleLittleEndian(_buffer.AsSpan(_position, 8));
            _position += 8;
            return value;
        }

        public long Int64()
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(_buffer.AsSpan(_position, 8));
            _position += 8;
            return value;
        }

        public string String()
        {
            Ensure(5);
            var bytes = (int)Varint();
            Ensure(bytes);
            var text = Encoding.UTF8.GetString(_buffer.AsSpan(_position, bytes));
            _position += bytes;
            return text;
        }

        public void Dispose()
        {
            if (_buffer is { } buffer)
            {
                _buffer = null!;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
