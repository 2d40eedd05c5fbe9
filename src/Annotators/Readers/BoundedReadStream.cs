using System.Globalization;

namespace Annotate.Annotators.Readers;

/// <summary>
/// A read-only stream that throws <c>too-large</c> once more than a set number of bytes has been read from it,
/// so a ZIP entry whose declared size lies cannot inflate without bound. <c>limitSetting</c> names the
/// configuration key of the limit, for the message.
/// </summary>
public sealed class BoundedReadStream(Stream inner, long limit, string fileName, string partName,
    string limitSetting = "Annotate:Readers:MaxUncompressedBytes") : Stream
{
    private long _read;

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
    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int read)
    {
        _read += read;
        if (_read > limit)
        {
            throw ZipPackageLimits.TooLarge(fileName,
                $"its part '{partName}' inflates past {limit.ToString("N0", CultureInfo.InvariantCulture)} bytes ({limitSetting})");
        }
        return read;
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
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
