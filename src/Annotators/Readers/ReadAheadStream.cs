using System.IO.Pipelines;
using System.Runtime.ExceptionServices;

namespace Annotate.Annotators.Readers;

/// <summary>
/// Reads a source stream ahead on a thread of its own, through a bounded <see cref="Pipe"/>, so the work of producing
/// the bytes (inflating a ZIP entry, checking its size and its XML tokens) runs on one core while the caller parses
/// them on another. An exception of the source reaches the caller, unchanged, after the bytes that came before it. At most <see cref="AheadBytes"/> wait in the pipe. Disposing it stops the reading thread and waits for it, so
/// the source (and the archive it belongs to) may be disposed right after.
/// </summary>
internal sealed class ReadAheadStream : ForwardReadStream
{
    /// <summary>Most bytes read ahead of the caller: 1 MiB.</summary>
    public const int AheadBytes = 1 << 20;

    private const int ChunkBytes = 64 * 1024;

    private readonly Pipe _pipe = new(new PipeOptions(
        pauseWriterThreshold: AheadBytes,
        resumeWriterThreshold: AheadBytes / 2,
        minimumSegmentSize: ChunkBytes,
        useSynchronizationContext: false));

    private readonly Stream _reader;
    private readonly Task _filling;
    private Exception? _failure;
    private bool _disposed;

    public ReadAheadStream(Stream source)
    {
        _reader = _pipe.Reader.AsStream();
        // A long-running task gets a thread of its own: the reads are CPU work (inflating), which would hold a pool thread.
        _filling = Task.Factory.StartNew(() => Fill(source), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Whether reading ahead pays for a part of <paramref name="bytes"/>: large enough, and a second core to read on.</summary>
    public static bool Pays(long bytes) => bytes >= 4 * AheadBytes && Environment.ProcessorCount > 1;

    private void Fill(Stream source)
    {
        Exception? error = null;
        try
        {
            using (source)
            {
                while (true)
                {
                    var memory = _pipe.Writer.GetMemory(ChunkBytes);
                    var read = source.Read(memory.Span);
                    if (read == 0)
                    {
                        break;
                    }
                    _pipe.Writer.Advance(read);
                    // Waits while the caller is AheadBytes behind; completed once the caller stopped reading.
                    var flushed = _pipe.Writer.FlushAsync().AsTask().GetAwaiter().GetResult();
                    if (flushed.IsCompleted)
                    {
                        break;
                    }
                }
            }
        }
        catch (Exception ex)
        {
            error = ex;
        }
        // The pipe would hand an exception to the reader before the bytes still waiting in it: it is kept aside and
        // thrown where the bytes end, so the caller parses everything that came before, as it would without this stream.
        Volatile.Write(ref _failure, error);
        _pipe.Writer.Complete();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = _reader.Read(buffer);
        if (read == 0 && buffer.Length > 0 && Volatile.Read(ref _failure) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
        return read;
    }

    public override bool CanRead => !_disposed;

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            // Completing the reader ends the writer's wait; the thread then returns after at most one chunk. Fill
            // catches everything, so the wait never throws.
            _pipe.Reader.Complete();
            _filling.Wait();
        }
        base.Dispose(disposing);
    }
}
