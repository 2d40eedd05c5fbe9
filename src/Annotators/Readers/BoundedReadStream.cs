using System.Globalization;

namespace Annotate.Annotators.Readers;

/// <summary>
/// A read-only stream that throws once more than a set number of bytes has been read from it, whatever the source
/// declared: a ZIP entry whose declared size lies, an HTTP body whose Content-Length is absent or wrong, a download
/// that keeps coming. The exception is the caller's, so each place names its own limit and file.
/// </summary>
public sealed class BoundedReadStream : Stream
{
    private readonly Stream _inner;
    private readonly long _limit;
    private readonly Func<Exception> _overLimit;
    private readonly bool _leaveOpen;
    private long _read;

    /// <summary>Counts what is read and throws once past the limit.</summary>
    /// <param name="inner">The stream read through.</param>
    /// <param name="limit">The most bytes that may be read.</param>
    /// <param name="overLimit">Makes the exception thrown by the read that goes past the limit.</param>
    /// <param name="leaveOpen">Whether disposing this stream leaves <paramref name="inner"/> open (a request body belongs to the server).</param>
    public BoundedReadStream(Stream inner, long limit, Func<Exception> overLimit, bool leaveOpen = false)
    {
        _inner = inner;
        _limit = limit;
        _overLimit = overLimit;
        _leaveOpen = leaveOpen;
    }

    /// <summary>
    /// A part of a package: past the limit it fails <c>too-large</c> naming the file and the part.
    /// <paramref name="limitSetting"/> names the configuration key of the limit, for the message.
    /// </summary>
    public BoundedReadStream(Stream inner, long limit, string fileName, string partName,
        string limitSetting = "Annotate:Readers:MaxUncompressedBytes")
        : this(inner, limit, () => ZipPackageLimits.TooLarge(fileName,
            $"its part '{partName}' inflates past {limit.ToString("N0", CultureInfo.InvariantCulture)} bytes ({limitSetting})"))
    {
    }

    /// <inheritdoc />
    public override bool CanRead => true;
    /// <inheritdoc />
    public override bool CanSeek => false;
    /// <inheritdoc />
    public override bool CanWrite => false;
    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();
    /// <inheritdoc />
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Count(_inner.Read(buffer, offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => Count(_inner.Read(buffer));

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int read)
    {
        _read += read;
        return _read > _limit ? throw _overLimit() : read;
    }

    /// <inheritdoc />
    public override void Flush() { }
    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();
    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
