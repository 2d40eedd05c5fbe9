using System.Buffers;
using System.Runtime.ExceptionServices;

namespace Annotate.Annotators.Readers;

/// <summary>
/// Reads a source stream ahead on a thread of its own, in chunks handed over through a bounded queue, so the work of
/// producing the bytes (inflating a ZIP entry, checking its size and its XML tokens) runs on one core while the caller
/// parses them on another. An exception of the source reaches the caller, unchanged, after the bytes that came before
/// it. At most <see cref="AheadBytes"/> wait for the caller. Disposing it stops the reading thread and waits for it, so
/// the source (and the archive it belongs to) may be disposed right after.
/// </summary>
/// <remarks>
/// The two threads meet once per <see cref="ChunkBytes"/> chunk, under one lock held for a queue operation: a parser's
/// small reads (an XML reader asks for 4 KB at a time) are served from the chunk in hand without any. A thread that
/// must wait (the caller ahead of the inflating, or the inflating a full queue ahead) blocks instead of spinning, so
/// the waiting costs the core nothing the other threads of the read (parsing, typing) could use. A
/// <see cref="System.IO.Pipelines.Pipe"/> read through its stream took its lock on every read and spun while waiting
/// (about a tenth more CPU for the read of the 100,000-row workbook; docs/BENCHMARKS.md).
/// </remarks>
internal sealed class ReadAheadStream : ForwardReadStream
{
    /// <summary>Most bytes read ahead of the caller: 1 MiB.</summary>
    public const int AheadBytes = 1 << 20;

    /// <summary>Bytes of one chunk handed over: 64 KB (under the large-object threshold).</summary>
    public const int ChunkBytes = 64 * 1024;

    private const int Chunks = AheadBytes / ChunkBytes;

    private readonly object _gate = new();
    private readonly Queue<(byte[] Buffer, int Length)> _ready = new(Chunks);
    private readonly Stack<byte[]> _free = new(Chunks);
    private readonly Task _filling;
    private int _rented;
    private bool _ended;
    private bool _stopped;
    private Exception? _failure;

    // The caller's side, touched by the caller only.
    private byte[]? _chunk;
    private int _offset;
    private int _length;
    private bool _disposed;

    public ReadAheadStream(Stream source)
    {
        // A long-running task gets a thread of its own: the reads are CPU work (inflating), which would hold a pool thread.
        _filling = Task.Factory.StartNew(() => Fill(source), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Whether reading ahead pays for a part of <paramref name="bytes"/>: large enough, and a second core to read on.</summary>
    public static bool Pays(long bytes) => bytes >= 4 * AheadBytes && Environment.ProcessorCount > 1;

    private void Fill(Stream source)
    {
        Exception? error = null;
        byte[]? chunk = null;
        var length = 0;
        try
        {
            using (source)
            {
                while ((chunk = TakeFreeChunk()) is not null)
                {
                    // A whole chunk before it is handed over (an inflating stream hands out what it has, often less).
                    length = 0;
                    int read;
                    do
                    {
                        read = source.Read(chunk, length, chunk.Length - length);
                        length += read;
                    }
                    while (read > 0 && length < chunk.Length);
                    var taken = HandOver(chunk, length);
                    chunk = null;
                    if (!taken || read == 0)
                    {
                        break;
                    }
                }
            }
        }
        catch (Exception ex)
        {
            error = ex;
            if (chunk is not null)
            {
                // The bytes the source gave before its exception still reach the caller.
                HandOver(chunk, length);
            }
        }
        lock (_gate)
        {
            // Kept aside and thrown where the bytes end, so the caller parses everything that came before, as it
            // would without this stream.
            _failure = error;
            _ended = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>A chunk to fill, once fewer than <see cref="Chunks"/> wait; null once the caller stopped.</summary>
    private byte[]? TakeFreeChunk()
    {
        lock (_gate)
        {
            while (!_stopped && _free.Count == 0 && _rented >= Chunks)
            {
                Monitor.Wait(_gate);
            }
            if (_stopped)
            {
                return null;
            }
            if (_free.Count > 0)
            {
                return _free.Pop();
            }
            _rented++;
            return ArrayPool<byte>.Shared.Rent(ChunkBytes);
        }
    }

    /// <summary>Queues a filled chunk (an empty one goes back); false once the caller stopped.</summary>
    private bool HandOver(byte[] chunk, int length)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                _free.Push(chunk);
                return false;
            }
            if (length == 0)
            {
                _free.Push(chunk);
                return true;
            }
            _ready.Enqueue((chunk, length));
            Monitor.PulseAll(_gate);
            return true;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }
        if (_offset == _length && !NextChunk())
        {
            return 0;
        }
        var n = Math.Min(buffer.Length, _length - _offset);
        _chunk.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    /// <summary>Gives back the chunk read and takes the next; false at the end (or throws the source's exception there).</summary>
    private bool NextChunk()
    {
        Exception? failure;
        lock (_gate)
        {
            if (_chunk is not null)
            {
                _free.Push(_chunk);
                _chunk = null;
                Monitor.PulseAll(_gate);
            }
            while (_ready.Count == 0 && !_ended)
            {
                Monitor.Wait(_gate);
            }
            if (_ready.TryDequeue(out var next))
            {
                (_chunk, _offset, _length) = (next.Buffer, 0, next.Length);
                return true;
            }
            failure = _failure;
        }
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
        return false;
    }

    public override bool CanRead => !_disposed;

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            lock (_gate)
            {
                _stopped = true;
                Monitor.PulseAll(_gate);
            }
            // The thread returns after at most the chunk it is filling. Fill catches everything, so the wait never throws.
            _filling.Wait();
            if (_chunk is not null)
            {
                _free.Push(_chunk);
                _chunk = null;
            }
            foreach (var (buffer, _) in _ready)
            {
                _free.Push(buffer);
            }
            _ready.Clear();
            foreach (var buffer in _free)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            _free.Clear();
        }
        base.Dispose(disposing);
    }
}
