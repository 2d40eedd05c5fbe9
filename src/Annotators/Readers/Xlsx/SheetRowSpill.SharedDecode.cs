using System.Collections;
using System.Runtime.ExceptionServices;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Readers.Xlsx;

internal sealed partial class SheetRowSpill
{
    /// <summary>Cells a decoded batch holds at most: its array stays below the large object heap's threshold.</summary>
    internal const int BatchCells = 1_600;

    /// <summary>Decoded batches kept for the scans that follow the first (16 MB of cells at most).</summary>
    internal const int WindowBatches = 256;

    private readonly object _sharedGate = new();
    private readonly List<SharedDecode> _shared = [];

    /// <summary>Spill rows decoded in all, by every scan: what a test reads to see that scans running at once share one decode.</summary>
    internal long RowsDecoded => Interlocked.Read(ref _rowsDecoded);

    private long _rowsDecoded;

    /// <summary>
    /// The one decode that the scans of a region running at the same time share: the first scan to need a batch of rows
    /// decodes it, the others read it from a window of recent batches; a scan that falls behind the window decodes what
    /// it needs on its own from where the batch starts. When the last scan ends the window is let go, so a later scan
    /// starts a new one.
    /// </summary>
    private SharedDecode Join(Region region)
    {
        lock (_sharedGate)
        {
            var decode = _shared.Find(d => d.Region == region);
            if (decode is null)
            {
                decode = new SharedDecode(this, region);
                _shared.Add(decode);
            }
            decode.Scans++;
            return decode;
        }
    }

    private void Leave(SharedDecode decode)
    {
        lock (_sharedGate)
        {
            if (--decode.Scans == 0)
            {
                _shared.Remove(decode);
                decode.Release();
            }
        }
    }

    private IEnumerable<TableRow> ScanShared(Region region)
    {
        var width = region.Width;
        var decode = Join(region);
        var view = new BatchRow(width);
        Batch? held = null;
        Batch? own = null;
        PrivateDecoder? behind = null;
        try
        {
            for (var index = 0; ; index++)
            {
                var batch = decode.Acquire(index, ref behind, ref own);
                if (held is not null)
                {
                    decode.Return(held);
                }
                held = ReferenceEquals(batch, own) ? null : batch;
                for (var r = 0; r < batch.Count; r++)
                {
                    view.Point(batch.Cells, r * width);
                    yield return new TableRow(batch.Numbers[r], view);
                }
                if (batch.Last)
                {
                    yield break;
                }
            }
        }
        finally
        {
            if (held is not null)
            {
                decode.Return(held);
            }
            behind?.Dispose();
            Leave(decode);
        }
    }

    /// <summary>
    /// Decodes the spill rows from <paramref name="rowIndex"/> on into <paramref name="batch"/>: at most
    /// <see cref="Batch.Rows"/> of them, keeping those inside the region that hold a value (or all of them, when the
    /// region keeps empty rows). The batch is the last when the spill ends or a row past the region is met.
    /// </summary>
    private void DecodeBatch(ref SpillReader reader, SharedStringScan strings, Batch batch, long rowIndex, Region region)
    {
        var (firstColumn, _, firstRow, lastRow, keepEmptyRows) = region;
        var width = batch.Width;
        var cells = batch.Cells;
        batch.Count = 0;
        batch.Last = false;
        var end = Math.Min(RowCount, rowIndex + batch.Rows);
        var decoded = 0L;
        for (var i = rowIndex; i < end; i++)
        {
            var (number, count) = RowHeader(ref reader);
            decoded++;
            if (number > lastRow)
            {
                batch.Last = true;
                break;
            }
            var kept = number >= firstRow;
            var at = batch.Count * width;
            if (kept)
            {
                Array.Fill(cells, CellValue.Empty, at, width);
            }
            var any = false;
            for (var c = 0; c < count; c++)
            {
                var value = DecodeCell(ref reader, strings, out var column, out _, out _);
                var offset = column - firstColumn;
                if (kept && (uint)offset < (uint)width)
                {
                    cells[at + offset] = value;
                    // Once one cell of the row holds a value, the others' texts need not be looked at (a text's
                    // first touch in a scan is a cache miss: a tenth of the scan when each cell was checked).
                    any = any || !value.IsEmpty;
                }
            }
            if (any || (kept && keepEmptyRows))
            {
                batch.Numbers[batch.Count++] = number;
            }
        }
        batch.Last |= end >= RowCount;
        Interlocked.Add(ref _rowsDecoded, decoded);
    }

    /// <summary>
    /// The cells a scan reads: columns <see cref="FirstColumn"/> to <see cref="FirstColumn"/> + <see cref="Width"/> − 1
    /// of the rows numbered <see cref="FirstRow"/> to <see cref="LastRow"/>; a row without a value there is left out
    /// unless <see cref="KeepEmptyRows"/> (a CSV's record of empty fields is a row of its table).
    /// </summary>
    private readonly record struct Region(int FirstColumn, int Width, long FirstRow, long LastRow, bool KeepEmptyRows);

    /// <summary>Rows of one region decoded together, and where the next batch starts.</summary>
    private sealed class Batch(int width, int rows)
    {
        public int Width { get; } = width;

        /// <summary>Spill rows a batch covers (rows outside the region or without a value are decoded, not kept).</summary>
        public int Rows { get; } = rows;

        public CellValue[] Cells { get; } = new CellValue[width * rows];

        public long[] Numbers { get; } = new long[rows];

        /// <summary>Rows kept.</summary>
        public int Count { get; set; }

        /// <summary>No batch follows.</summary>
        public bool Last { get; set; }

        /// <summary>The batch's place in the decode, −1 when it holds none.</summary>
        public int Index { get; set; } = -1;

        /// <summary>Scans reading it now.</summary>
        public int Readers { get; set; }

        /// <summary>Out of the window: it goes back to the spares when its last reader is done.</summary>
        public bool Evicted { get; set; }
    }

    /// <summary>A scan's own reader for batches that have left the window, kept while the batches it needs follow on.</summary>
    private sealed class PrivateDecoder(SheetRowSpill spill, long start) : IDisposable
    {
        private SpillReader _reader = new(spill._file, spill._length, start);

        public SharedStringScan Strings { get; } = spill._sharedStrings.Scan();

        /// <summary>The batch it decodes next.</summary>
        public int Next { get; set; } = -1;

        public ref SpillReader Reader => ref _reader;

        public void Dispose() => _reader.Dispose();
    }

    private sealed class SharedDecode(SheetRowSpill spill, Region region)
    {
        private readonly int _width = region.Width;
        private readonly object _gate = new();
        private readonly int _rows = Math.Max(1, BatchCells / Math.Max(1, region.Width));
        // Where each decoded batch starts in the spill, and where the next one would.
        private readonly List<long> _starts = [0];
        private readonly Batch?[] _window = new Batch?[WindowBatches];
        private readonly Stack<Batch> _spare = new();
        private SpillReader _reader = new(spill._file, spill._length);
        private SharedStringScan? _strings;
        private int _decoded;
        private bool _ended;
        private bool _decoding;
        private ExceptionDispatchInfo? _failure;

        /// <summary>Scans that joined and have not left (under the spill's gate).</summary>
        public int Scans { get; set; }

        public Region Region => region;

        /// <summary>
        /// Batch <paramref name="index"/>, for a scan that has read every batch before it: from the window, decoded here
        /// for every scan when no scan has decoded it yet, or else decoded into the scan's <paramref name="own"/> batch
        /// by its <paramref name="behind"/> reader.
        /// </summary>
        public Batch Acquire(int index, ref PrivateDecoder? behind, ref Batch? own)
        {
            Batch? lead = null;
            lock (_gate)
            {
                while (lead is null)
                {
                    _failure?.Throw();
                    if (index < _decoded)
                    {
                        if (_window[index % WindowBatches] is { } kept && kept.Index == index)
                        {
                            kept.Readers++;
                            return kept;
                        }
                        break;
                    }
                    if (_decoding)
                    {
                        // Another scan is decoding the batch this one needs.
                        Monitor.Wait(_gate);
                        continue;
                    }
                    if (_ended)
                    {
                        // Only a scan that ignored a last batch asks past it.
                        throw new InvalidOperationException("the region's rows have all been read");
                    }
                    _decoding = true;
                    lead = Take();
                }
            }
            return lead is null ? DecodeBehind(index, ref behind, ref own) : DecodeForAll(index, lead);
        }

        /// <summary>Decodes batch <paramref name="index"/> into <paramref name="batch"/> for every scan, and puts it in the window.</summary>
        private Batch DecodeForAll(int index, Batch batch)
        {
            try
            {
                _strings ??= spill._sharedStrings.Scan();
                spill.DecodeBatch(ref _reader, _strings, batch, (long)index * _rows, region);
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    _failure = ExceptionDispatchInfo.Capture(ex);
                    _decoding = false;
                    Monitor.PulseAll(_gate);
                }
                throw;
            }
            lock (_gate)
            {
                batch.Index = index;
                batch.Readers = 1;
                var slot = index % WindowBatches;
                if (_window[slot] is { } old)
                {
                    Evict(old);
                }
                _window[slot] = batch;
                _starts.Add(_reader.Position);
                _decoded = index + 1;
                _ended = batch.Last;
                _decoding = false;
                Monitor.PulseAll(_gate);
            }
            return batch;
        }

        /// <summary>
        /// Batch <paramref name="index"/>, gone from the window, decoded by this scan alone into its <paramref name="own"/>
        /// batch with its <paramref name="behind"/> reader, which carries on to the next batch without looking for it again.
        /// </summary>
        private Batch DecodeBehind(int index, ref PrivateDecoder? behind, ref Batch? own)
        {
            if (behind is null || behind.Next != index)
            {
                behind?.Dispose();
                long start;
                lock (_gate)
                {
                    start = _starts[index];
                }
                behind = new PrivateDecoder(spill, start);
            }
            own ??= new Batch(_width, _rows);
            spill.DecodeBatch(ref behind.Reader, behind.Strings, own, (long)index * _rows, region);
            own.Index = index;
            behind.Next = index + 1;
            return own;
        }

        /// <summary>A scan is done with <paramref name="batch"/>.</summary>
        public void Return(Batch batch)
        {
            lock (_gate)
            {
                if (--batch.Readers == 0 && batch.Evicted)
                {
                    batch.Evicted = false;
                    batch.Index = -1;
                    _spare.Push(batch);
                }
            }
        }

        /// <summary>Lets the window go once no scan reads it (under the spill's gate, after the last scan left).</summary>
        public void Release()
        {
            lock (_gate)
            {
                Array.Clear(_window);
                _spare.Clear();
                _reader.Dispose();
            }
        }

        private Batch Take() => _spare.TryPop(out var spare) ? spare : new Batch(_width, _rows);

        private void Evict(Batch batch)
        {
            if (batch.Readers == 0)
            {
                batch.Index = -1;
                _spare.Push(batch);
            }
            else
            {
                batch.Evicted = true;
            }
        }
    }

    /// <summary>One kept row of a batch, as the cells list a scan hands out: pointed at each row in turn.</summary>
    private sealed class BatchRow(int width) : IReadOnlyList<CellValue>
    {
        private CellValue[] _cells = [];
        private int _offset;

        public int Count => width;

        public CellValue this[int index] =>
            (uint)index < (uint)width ? _cells[_offset + index] : throw new ArgumentOutOfRangeException(nameof(index));

        public void Point(CellValue[] cells, int offset)
        {
            _cells = cells;
            _offset = offset;
        }

        public IEnumerator<CellValue> GetEnumerator()
        {
            for (var i = 0; i < width; i++)
            {
                yield return _cells[_offset + i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
