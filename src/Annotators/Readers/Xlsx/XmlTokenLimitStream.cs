using System.Globalization;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// Passes a part's XML bytes through unchanged but throws <c>too-large</c> once one token — a tag with its attributes,
/// a run of text or whitespace, a comment, a CDATA section — grows past a limit. <see cref="System.Xml.XmlReader"/>
/// holds a whole tag in its buffer and materialises attribute values whole, so a 1 GB attribute in a part that passes
/// the ZIP checks would cost gigabytes; text it reads in chunks (<see cref="BoundedXmlText"/>), but gigabytes of one
/// text node are no spreadsheet either. Only ASCII delimiters are looked at, so UTF-8 passes untouched.
/// </summary>
internal sealed class XmlTokenLimitStream(Stream inner, long limit, string fileName, string partName) : Stream
{
    /// <summary>
    /// Longest token accepted: 16 MiB. Excel writes at most 32,767 characters per cell (under 200 KB escaped) and
    /// short tags; a 16 MiB tag costs XmlReader about 100 MB at most.
    /// </summary>
    public const long MaxTokenBytes = 16L * 1024 * 1024;

    private enum State : byte
    {
        Text,
        TagOpen,
        Tag,
        Quoted,
        Markup,
    }

    private static readonly System.Buffers.SearchValues<byte> TagDelimiters = System.Buffers.SearchValues.Create("\"'>"u8);

    private State _state;
    private byte _quote;
    private byte _previous;
    private byte _beforePrevious;
    private long _run;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Scan(buffer[..read]);
        return read;
    }

    private void Scan(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            // Fast paths: text runs to the next '<', quoted values to their closing quote, a tag's name and the
            // space between its attributes to the next quote or '>' (most of a sheet's bytes are tags).
            if (_state is State.Text or State.Quoted or State.Tag)
            {
                var rest = bytes[i..];
                var next = _state switch
                {
                    State.Text => rest.IndexOf((byte)'<'),
                    State.Quoted => rest.IndexOf(_quote),
                    _ => rest.IndexOfAny(TagDelimiters),
                };
                var skipped = next < 0 ? rest.Length : next;
                _run += skipped;
                Check();
                if (next < 0)
                {
                    if (rest.Length > 0)
                    {
                        _beforePrevious = rest.Length > 1 ? rest[^2] : _previous;
                        _previous = rest[^1];
                    }
                    return;
                }
                i += skipped;
            }
            var b = bytes[i++];
            _run++;
            switch (_state)
            {
                case State.Text:
                    _state = State.TagOpen;
                    _run = 1;
                    break;
                case State.TagOpen:
                    _state = b is (byte)'!' or (byte)'?' ? State.Markup : b == '>' ? State.Text : State.Tag;
                    break;
                case State.Tag:
                    if (b is (byte)'"' or (byte)'\'')
                    {
                        _state = State.Quoted;
                        _quote = b;
                    }
                    else if (b == '>')
                    {
                        _state = State.Text;
                        _run = 0;
                    }
                    break;
                case State.Quoted:
                    _state = State.Tag;
                    break;
                case State.Markup:
                    // Comments end with "-->", CDATA with "]]>", processing instructions with "?>".
                    if (b == '>' && ((_previous == '-' && _beforePrevious == '-') || (_previous == ']' && _beforePrevious == ']') || _previous == '?'))
                    {
                        _state = State.Text;
                        _run = 0;
                    }
                    break;
            }
            _beforePrevious = _previous;
            _previous = b;
            Check();
        }
    }

    private void Check()
    {
        if (_run > limit)
        {
            throw ZipPackageLimits.TooLarge(fileName,
                $"its part '{partName}' holds a single XML tag, text or comment of more than {limit.ToString("N0", CultureInfo.InvariantCulture)} bytes; "
                + "spreadsheet applications write none over a few hundred KB");
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
