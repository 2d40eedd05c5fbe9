using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// Passes a part's XML bytes through unchanged but throws <c>too-large</c> once one token — a tag with its attributes,
/// a run of text or whitespace, a comment, a CDATA section — grows past a limit. <see cref="System.Xml.XmlReader"/>
/// holds a whole tag in its buffer and materialises attribute values whole, so a 1 GB attribute in a part that passes
/// the ZIP checks would cost gigabytes; text it reads in chunks (<see cref="BoundedXmlText"/>), but gigabytes of one
/// text node are no spreadsheet either. Only ASCII delimiters are looked at, so UTF-8 passes untouched.
/// </summary>
internal sealed class XmlTokenLimitStream(Stream inner, long limit, string fileName, string partName) : ForwardReadStream
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

    /// <summary>
    /// Follows the tokens through <paramref name="bytes"/>. The length of the current token is checked when it ends and
    /// at the end of each read, not at every byte: a token past the limit is caught within the read that takes it
    /// over, and the state lives in locals while a buffer is scanned (the scan used to cost two thirds of an
    /// <see cref="System.Xml.XmlReader"/> pass over a sheet, most of it in per-byte bookkeeping).
    /// </summary>
    private void Scan(ReadOnlySpan<byte> bytes)
    {
        // Most reads of a sheet end no token past the limit by arithmetic alone: the token under way and every one the
        // read holds fit in what came before plus the read. Then only the last tag matters, and it starts at the last
        // '<', unless a comment, CDATA section or processing instruction could hide one ('<!' and '<?' need a '!' or
        // a '?'). A '<' inside a quoted value, this read's or one under way, is no tag's start, but the XML reader
        // refuses it where it stands (attribute values may not hold one), before it holds the value.
        if (_state != State.Markup && _run + bytes.Length <= limit && bytes.IndexOfAny((byte)'!', (byte)'?') < 0)
        {
            var last = bytes.LastIndexOf((byte)'<');
            if (last >= 0)
            {
                _state = State.TagOpen;
                _run = 1;
                Follow(bytes[(last + 1)..]);
                return;
            }
            if (_state == State.Text)
            {
                _run += bytes.Length;
                return;
            }
        }
        Follow(bytes);
    }

    /// <summary>Follows the tokens through <paramref name="bytes"/> one state at a time.</summary>
    private void Follow(ReadOnlySpan<byte> bytes)
    {
        var state = _state;
        var run = _run;
        var i = 0;
        while (i < bytes.Length)
        {
            switch (state)
            {
                case State.Text:
                {
                    // Text runs to the next '<' (a vector search: shared strings and cell text can be long).
                    var next = bytes[i..].IndexOf((byte)'<');
                    if (next < 0)
                    {
                        run += bytes.Length - i;
                        i = bytes.Length;
                        break;
                    }
                    Check(run + next);
                    i += next + 1;
                    state = State.TagOpen;
                    run = 1;
                    break;
                }
                case State.TagOpen:
                {
                    var b = bytes[i++];
                    run++;
                    if (b is (byte)'!' or (byte)'?')
                    {
                        state = State.Markup;
                        _beforePrevious = (byte)'<';
                        _previous = b;
                    }
                    else
                    {
                        state = b == '>' ? State.Text : State.Tag;
                    }
                    break;
                }
                case State.Tag:
                    // A tag's name and the space between its attributes are a few bytes each: one byte at a time is
                    // cheaper here than a vector search per part.
                    while (i < bytes.Length)
                    {
                        var b = bytes[i++];
                        run++;
                        if (b == '>')
                        {
                            Check(run);
                            state = State.Text;
                            run = 0;
                            break;
                        }
                        if (b is (byte)'"' or (byte)'\'')
                        {
                            state = State.Quoted;
                            _quote = b;
                            break;
                        }
                    }
                    break;
                case State.Quoted:
                {
                    var next = bytes[i..].IndexOf(_quote);
                    if (next < 0)
                    {
                        run += bytes.Length - i;
                        i = bytes.Length;
                        break;
                    }
                    run += next + 1;
                    i += next + 1;
                    state = State.Tag;
                    break;
                }
                default:
                    // Markup: comments end with "-->", CDATA with "]]>", processing instructions with "?>".
                    while (i < bytes.Length)
                    {
                        var b = bytes[i++];
                        run++;
                        if (b == '>' && ((_previous == '-' && _beforePrevious == '-') || (_previous == ']' && _beforePrevious == ']') || _previous == '?'))
                        {
                            Check(run);
                            state = State.Text;
                            run = 0;
                            break;
                        }
                        _beforePrevious = _previous;
                        _previous = b;
                    }
                    break;
            }
        }
        Check(run);
        _state = state;
        _run = run;
    }

    // Called at the end of every token: inlined, with the throw out of line, it is one comparison.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Check(long run)
    {
        if (run > limit)
        {
            TooLarge();
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void TooLarge() =>
        throw ZipPackageLimits.TooLarge(fileName,
            $"its part '{partName}' holds a single XML tag, text or comment of more than {limit.ToString("N0", CultureInfo.InvariantCulture)} bytes; "
            + "spreadsheet applications write none over a few hundred KB");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
