using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;

namespace Annotate.Annotators.Tests.Readers;

public class ReadAheadStreamTests
{
    [Fact]
    public void Every_byte_arrives_in_order_whatever_the_read_sizes()
    {
        var bytes = new byte[5 * ReadAheadStream.AheadBytes + 12_345];
        new Random(7).NextBytes(bytes);
        using var stream = new ReadAheadStream(new OddChunkStream(new MemoryStream(bytes)));

        var copy = new MemoryStream();
        var buffer = new byte[70_001];
        var sizes = new[] { 1, 4096, 70_001, 13 };
        int read, turn = 0;
        while ((read = stream.Read(buffer, 0, sizes[turn++ % sizes.Length])) > 0)
        {
            copy.Write(buffer, 0, read);
        }

        Assert.Equal(bytes, copy.ToArray());
    }

    [Fact]
    public void An_exception_of_the_source_reaches_the_reader_unchanged_after_the_bytes_before_it()
    {
        // Not at a chunk's end: the bytes of the chunk under way when the source failed arrive too.
        const long before = (3L * ReadAheadStream.AheadBytes) + 12_345;
        var source = new FailingStream(bytesBeforeFailure: before,
            new AnnotationException(FailureReason.TooLarge, "'book.xlsx' is too large: its part 'xl/worksheets/sheet1.xml' holds a single XML tag"));
        using var stream = new ReadAheadStream(source);

        long total = 0;
        var buffer = new byte[65_536];
        var ex = Assert.Throws<AnnotationException>(() =>
        {
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                total += read;
            }
        });

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("'book.xlsx'", ex.Message);
        Assert.Equal(before, total);
    }

    [Fact]
    public void Disposing_before_the_end_stops_reading_ahead_and_disposes_the_source()
    {
        // A source without end: only the dispose can stop the thread reading it.
        var source = new EndlessStream();
        var stream = new ReadAheadStream(source);
        var buffer = new byte[1000];
        Assert.Equal(1000, stream.ReadAtLeast(buffer, 1000));

        stream.Dispose();

        Assert.True(source.Disposed);
        var readAfterDispose = source.BytesRead;
        // Bounded: at most what the queue holds plus the chunk being filled was read ahead of the 1,000 bytes taken.
        Assert.InRange(readAfterDispose, 1000, 2L * ReadAheadStream.AheadBytes);
    }

    [Fact]
    public void Only_large_parts_are_read_ahead()
    {
        Assert.False(ReadAheadStream.Pays(64 * 1024));
        Assert.Equal(Environment.ProcessorCount > 1, ReadAheadStream.Pays(64L * 1024 * 1024));
    }

    /// <summary>Hands out at most 777 bytes per read, as an inflating stream hands out what it has.</summary>
    private sealed class OddChunkStream(Stream inner) : ForwardReadStream
    {
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 777));
    }

    private sealed class FailingStream(long bytesBeforeFailure, Exception failure) : ForwardReadStream
    {
        private long _left = bytesBeforeFailure;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_left == 0)
            {
                throw failure;
            }
            var n = (int)Math.Min(count, _left);
            Array.Fill(buffer, (byte)'x', offset, n);
            _left -= n;
            return n;
        }
    }

    private sealed class EndlessStream : ForwardReadStream
    {
        private long _read;

        public bool Disposed { get; private set; }

        public long BytesRead => Interlocked.Read(ref _read);

        public override int Read(byte[] buffer, int offset, int count)
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            Array.Fill(buffer, (byte)'y', offset, count);
            Interlocked.Add(ref _read, count);
            return count;
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
