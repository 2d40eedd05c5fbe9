namespace Annotate.Annotators.Readers;

/// <summary>
/// A stream read once from start to end: what a reader layer (a size or token check, a read-ahead) passes on to a
/// parser. Only <see cref="Stream.Read(Span{byte})"/> and <see cref="Stream.Read(byte[], int, int)"/> are left to write.
/// </summary>
internal abstract class ForwardReadStream : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
