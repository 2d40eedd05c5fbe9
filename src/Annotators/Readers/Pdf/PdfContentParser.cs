using System.Buffers;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Graphics;
using UglyToad.PdfPig.Graphics.Operations;
using UglyToad.PdfPig.Logging;
using UglyToad.PdfPig.Parser;
using UglyToad.PdfPig.Tokens;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>
/// Parses a page's content stream into the operations PdfPig's <see cref="PageContentParser"/> makes of it, the same
/// tokens made by PdfPig's own rules and handed to PdfPig's operation factory, but over the stream's bytes at once and
/// without PdfPig's operator tokens: PdfPig makes a new one for every operator it reads (Tj, Td, TJ, cm...) under one
/// lock shared by the whole process, so two threads reading pages took turns on it, and the tokenizer reads the stream
/// byte by byte through an interface. Here each distinct operator and short name is made once per document.
/// </summary>
/// <remarks>
/// Only what is plain and common is parsed here: numbers without exponents, names without <c>#</c> escapes or bytes
/// past ASCII, literal and hexadecimal strings, arrays, dictionaries, <c>true</c>, <c>false</c>, <c>null</c> and
/// operators of printable ASCII. A stream with anything else (an inline image, a comment, an exponent, an escape in a
/// name, a string PdfPig would read as UTF-16, a control byte between tokens, an operation PdfPig's factory refuses,
/// a token PdfPig reads by a rule of its own) is parsed again whole by PdfPig's parser, so a page's operations are
/// always PdfPig's (<c>PdfContentParserTests</c> compares both on every page of the corpus and on random streams).
/// </remarks>
internal sealed class PdfContentParser(IPageContentParser pdfPig) : IPageContentParser
{
    /// <summary>Arrays and dictionaries nested deeper than this are left to PdfPig (which guards its own stack).</summary>
    private const int MaxNesting = 32;

    /// <summary>PdfPig's <see cref="MemoryInputBytes"/> keeps its bytes in this field (when a version does not, they are copied).</summary>
    private static readonly FieldInfo? MemoryField = typeof(MemoryInputBytes).GetField("memory", BindingFlags.Instance | BindingFlags.NonPublic);

    private readonly IGraphicsStateOperationFactory _operations = ReflectionGraphicsStateOperationFactory.Instance;
    private readonly Dictionary<ulong, OperatorToken> _operators = [];
    private readonly Dictionary<ulong, NameToken> _names = [];
    private readonly List<IToken> _operands = [];
    // Room for a line of text: a builder that outgrows its first piece reallocates when it is cleared.
    private readonly StringBuilder _text = new(256);

    /// <summary>
    /// Whether PdfPig's <see cref="HexToken"/> has the two fields its constructor fills (the version this is built
    /// against has), so that a token is made here from the digits' bytes: else by its constructor.
    /// </summary>
    internal static bool HexFieldsFound { get; } = FindHexFields();

    private static bool FindHexFields()
    {
        try
        {
            var made = Reader.HexOf("fe ff 00 41 4"u8);
            var pdfPig = new HexToken("FEFF00414".AsSpan());
            return made.Data == pdfPig.Data && made.Bytes.SequenceEqual(pdfPig.Bytes);
        }
        catch (MissingFieldException)
        {
            return false;
        }
    }

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "<Data>k__BackingField")]
    private static extern ref string HexData(HexToken token);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_bytes")]
    private static extern ref byte[] HexBytes(HexToken token);

    /// <summary>Whether PdfPig's bytes are read in place (true for the version this is built against).</summary>
    internal static bool ReadsInPlace => MemoryField is not null;

    /// <summary>Streams parsed here.</summary>
    public int Parsed { get; private set; }

    /// <summary>Streams handed to PdfPig's parser.</summary>
    public int HandedOver { get; private set; }

    public IReadOnlyList<IGraphicsStateOperation> Parse(int pageNumber, IInputBytes inputBytes, ILog log)
    {
        var length = inputBytes.Length;
        if (length == 0)
        {
            Parsed++;
            return [];
        }
        if (MemoryOf(inputBytes) is { } memory)
        {
            // PdfPig's own bytes, read in place: a page's decoded content is not copied again.
            try
            {
                if (new Reader(this, memory.Span).TryParse() is { } operations)
                {
                    Parsed++;
                    return operations;
                }
            }
            finally
            {
                _operands.Clear();
            }
        }
        else if (length <= int.MaxValue)
        {
            var buffer = ArrayPool<byte>.Shared.Rent((int)length);
            try
            {
                inputBytes.Seek(0);
                var read = inputBytes.Read(buffer.AsSpan(0, (int)length));
                if (new Reader(this, buffer.AsSpan(0, read)).TryParse() is { } operations)
                {
                    Parsed++;
                    return operations;
                }
            }
            finally
            {
                _operands.Clear();
                ArrayPool<byte>.Shared.Return(buffer);
            }
            inputBytes.Seek(0);
        }
        HandedOver++;
        return pdfPig.Parse(pageNumber, inputBytes, log);
    }

    /// <summary>The bytes under PdfPig's <see cref="MemoryInputBytes"/> (what it hands its parser), or null for other inputs.</summary>
    private static ReadOnlyMemory<byte>? MemoryOf(IInputBytes inputBytes) =>
        inputBytes is MemoryInputBytes && MemoryField?.GetValue(inputBytes) is ReadOnlyMemory<byte> memory && memory.Length == inputBytes.Length
            ? memory
            // Typed: a bare null would become an empty memory (through the conversion from a null array), not no memory.
            : (ReadOnlyMemory<byte>?)null;

    internal ref struct Reader(PdfContentParser parser, ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        /// <summary>The stream's operations, or null when it has something left to PdfPig.</summary>
        public List<IGraphicsStateOperation>? TryParse()
        {
            // About one operation per 16 bytes of a text page; at most 8,192 to start with, so the array stays out of the
            // large-object heap (a page's list grows past that only on the longest pages).
            var operations = new List<IGraphicsStateOperation>(Math.Min(_bytes.Length / 16, 8192));
            var operands = parser._operands;
            operands.Clear();
            while (SkipWhiteSpace())
            {
                if (!TryReadToken(0, out var token))
                {
                    return null;
                }
                if (token is not OperatorToken op)
                {
                    operands.Add(token);
                    continue;
                }
                IGraphicsStateOperation? operation;
                try
                {
                    operation = parser._operations.Create(op, operands);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // PdfPig logs it and, reading leniently, goes on: its own parser does exactly that.
                    return null;
                }
                if (operation is not null)
                {
                    operations.Add(operation);
                }
                else if (op.Data == "inf")
                {
                    // PdfPig reads this operator as an operand of zero.
                    return null;
                }
                operands.Clear();
            }
            return operations;
        }

        /// <summary>Moves past white space; false at the end.</summary>
        private bool SkipWhiteSpace()
        {
            while (_at < _bytes.Length && IsWhiteSpace(_bytes[_at]))
            {
                _at++;
            }
            return _at < _bytes.Length;
        }

        private bool TryReadToken(int depth, out IToken token)
        {
            token = NullToken.Instance;
            var first = _bytes[_at];
            switch (first)
            {
                case (byte)'(':
                    return TryReadString(out token);
                case (byte)'<':
                    return _at + 1 < _bytes.Length && _bytes[_at + 1] == '<' ? TryReadDictionary(depth, out token) : TryReadHex(out token);
                case (byte)'[':
                    return TryReadArray(depth, out token);
                case (byte)'/':
                    return TryReadName(out token);
                case (byte)'-' or (byte)'.' or (>= (byte)'0' and <= (byte)'9'):
                    return TryReadNumber(out token);
                case (byte)'+' or (byte)'%' or (byte)')' or (byte)'>' or (byte)']' or (byte)'{' or (byte)'}':
                    return false;
                default:
                    return TryReadWord(out token);
            }
        }

        /// <summary>
        /// A number as PdfPig's numeric tokenizer makes it, bit for bit: the digits before the point as a double, those
        /// after as an integer divided by a power of ten, then the sign. Exponents and signs past the first byte are left to PdfPig.
        /// </summary>
        private bool TryReadNumber(out IToken token)
        {
            token = NullToken.Instance;
            var negative = false;
            var point = false;
            var whole = 0.0;
            long fraction = 0;
            var fractionDigits = 0;
            var start = _at;
            for (; _at < _bytes.Length; _at++)
            {
                var b = _bytes[_at];
                if (b is >= (byte)'0' and <= (byte)'9')
                {
                    if (point)
                    {
                        if (++fractionDigits > 18)
                        {
                            return false;
                        }
                        fraction = (fraction * 10) + (b - '0');
                    }
                    else
                    {
                        whole = (whole * 10.0) + (b - '0');
                    }
                }
                else if (b == '-' && _at == start)
                {
                    negative = true;
                }
                else if (b == '.' && !point)
                {
                    point = true;
                }
                else if (b is (byte)'-' or (byte)'.' or (byte)'+' or (byte)'e' or (byte)'E')
                {
                    return false;
                }
                else
                {
                    break;
                }
            }
            var value = whole;
            if (point && fractionDigits > 0)
            {
                value = fractionDigits switch
                {
                    1 => whole + (fraction / 10.0),
                    2 => whole + (fraction / 100.0),
                    3 => whole + (fraction / 1000.0),
                    _ => whole + (fraction / Math.Pow(10.0, fractionDigits)),
                };
            }
            if (negative)
            {
                value = 0.0 - value;
            }
            token = value == 0.0 ? NumericToken.Zero : new NumericToken(value);
            return true;
        }

        private bool TryReadName(out IToken token)
        {
            token = NullToken.Instance;
            var start = ++_at;
            while (_at < _bytes.Length && !IsEndOfName(_bytes[_at]))
            {
                var b = _bytes[_at];
                if (b is (byte)'#' or < 0x21 or >= 0x7F)
                {
                    return false;
                }
                _at++;
            }
            var name = _bytes[start.._at];
            if (name.IsEmpty)
            {
                return false;
            }
            if (name.Length <= 7)
            {
                var key = Pack(name);
                if (!parser._names.TryGetValue(key, out var known))
                {
                    known = NameToken.Create(Encoding.ASCII.GetString(name));
                    parser._names[key] = known;
                }
                token = known;
                return true;
            }
            token = NameToken.Create(Encoding.ASCII.GetString(name));
            return true;
        }

        /// <summary>An operator, or true, false or null, as PdfPig's plain tokenizer reads it (up to white space or a delimiter).</summary>
        private bool TryReadWord(out IToken token)
        {
            token = NullToken.Instance;
            var start = _at;
            for (; _at < _bytes.Length; _at++)
            {
                var b = _bytes[_at];
                if (IsWhiteSpace(b) || b is (byte)'%' or (byte)'(' or (byte)')' or (byte)'/' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']')
                {
                    break;
                }
                if (b is < 0x21 or >= 0x7F)
                {
                    return false;
                }
            }
            var word = _bytes[start.._at];
            switch (word)
            {
                case [(byte)'t', (byte)'r', (byte)'u', (byte)'e']:
                    token = BooleanToken.True;
                    return true;
                case [(byte)'f', (byte)'a', (byte)'l', (byte)'s', (byte)'e']:
                    token = BooleanToken.False;
                    return true;
                case [(byte)'n', (byte)'u', (byte)'l', (byte)'l']:
                    token = NullToken.Instance;
                    return true;
                case [(byte)'B', (byte)'I'] or [(byte)'I', (byte)'D'] or [(byte)'E', (byte)'I']:
                    // Inline images: PdfPig reads their data by rules of its own.
                    return false;
            }
            if (word.Length > 7)
            {
                token = OperatorToken.Create(Encoding.ASCII.GetString(word));
                return true;
            }
            var key = Pack(word);
            if (!parser._operators.TryGetValue(key, out var op))
            {
                op = OperatorToken.Create(Encoding.ASCII.GetString(word));
                parser._operators[key] = op;
            }
            token = op;
            return true;
        }

        /// <summary>A literal string as PdfPig's string tokenizer reads it (escapes, octal codes, nested brackets, bytes as Latin-1).</summary>
        private bool TryReadString(out IToken token)
        {
            token = NullToken.Instance;
            var text = parser._text.Clear();
            var depth = 1;
            var escaped = false;
            var lineBreaking = false;
            var octal = 0;
            var octalDigits = 0;
            _at++;
            for (; _at < _bytes.Length; _at++)
            {
                var c = (char)_bytes[_at];
                if (octalDigits > 0)
                {
                    var isOctal = c is >= '0' and <= '7';
                    if (isOctal)
                    {
                        octal = (octal * 8) + (c - '0');
                        octalDigits++;
                    }
                    if (octalDigits == 3 || !isOctal)
                    {
                        text.Append((char)octal);
                        (octal, octalDigits) = (0, 0);
                    }
                    if (isOctal)
                    {
                        continue;
                    }
                }
                switch (c)
                {
                    case ')':
                        lineBreaking = false;
                        if (!escaped)
                        {
                            depth--;
                        }
                        escaped = false;
                        if (depth > 0)
                        {
                            text.Append(c);
                        }
                        if (_at + 1 < _bytes.Length && _bytes[_at + 1] == '\r')
                        {
                            // PdfPig ends a string early at some bytes after a carriage return: its rule, not this one.
                            return false;
                        }
                        break;
                    case '(':
                        lineBreaking = false;
                        if (!escaped)
                        {
                            depth++;
                        }
                        escaped = false;
                        text.Append(c);
                        break;
                    case '\\':
                        lineBreaking = false;
                        if (escaped)
                        {
                            text.Append(c);
                            escaped = false;
                        }
                        else
                        {
                            escaped = true;
                        }
                        break;
                    default:
                        if (lineBreaking)
                        {
                            if (c is '\r' or '\n')
                            {
                                continue;
                            }
                            lineBreaking = false;
                            text.Append(c);
                        }
                        else if (escaped)
                        {
                            escaped = false;
                            switch (c)
                            {
                                case 'n':
                                    text.Append('\n');
                                    break;
                                case 'r':
                                    text.Append('\r');
                                    break;
                                case 't':
                                    text.Append('\t');
                                    break;
                                case 'b':
                                    text.Append('\b');
                                    break;
                                case 'f':
                                    text.Append('\f');
                                    break;
                                case >= '0' and <= '7':
                                    (octal, octalDigits) = (c - '0', 1);
                                    break;
                                case '\r' or '\n':
                                    lineBreaking = true;
                                    break;
                                default:
                                    text.Append(c);
                                    break;
                            }
                        }
                        else
                        {
                            text.Append(c);
                        }
                        break;
                }
                if (depth <= 0)
                {
                    break;
                }
            }
            if (depth > 0)
            {
                // Unterminated: PdfPig reads to the end of the stream in its own way.
                return false;
            }
            _at++;
            if (text.Length >= 2 && ((text[0] == 'þ' && text[1] == 'ÿ') || (text[0] == 'ÿ' && text[1] == 'þ')))
            {
                // Read as UTF-16 by PdfPig.
                return false;
            }
            token = new StringToken(text.ToString(), StringToken.Encoding.Iso88591);
            return true;
        }

        private bool TryReadHex(out IToken token)
        {
            token = NullToken.Instance;
            var start = ++_at;
            while (_at < _bytes.Length && _bytes[_at] != '>')
            {
                var b = _bytes[_at];
                if (!IsWhiteSpace(b) && !char.IsAsciiHexDigit((char)b))
                {
                    return false;
                }
                _at++;
            }
            if (_at == _bytes.Length)
            {
                return false;
            }
            var digits = _bytes[start.._at];
            _at++;
            if (HexFieldsFound)
            {
                token = HexOf(digits);
                return true;
            }
            Span<char> chars = digits.Length <= 512 ? stackalloc char[digits.Length] : new char[digits.Length];
            var count = 0;
            foreach (var b in digits)
            {
                if (!IsWhiteSpace(b))
                {
                    chars[count++] = (char)b;
                }
            }
            // An empty span PdfPig reads as missing: the empty string's is not.
            token = new HexToken(count == 0 ? string.Empty.AsSpan() : chars[..count]);
            return true;
        }

        /// <summary>
        /// The token PdfPig's constructor makes of these hexadecimal digits (white space between them allowed), with its
        /// bytes and its text as it makes them, but without its dictionary lookup per digit and its text builder: on a
        /// page of text drawn in hexadecimal strings those were a tenth of the page's parse.
        /// </summary>
        internal static HexToken HexOf(ReadOnlySpan<byte> digits)
        {
            var count = digits.Length;
            foreach (var b in digits)
            {
                count -= IsWhiteSpace(b) ? 1 : 0;
            }
            // A last digit alone is the high half of a byte whose low half is 0 (as PdfPig reads it).
            var bytes = new byte[(count + 1) / 2];
            var (index, high) = (0, true);
            var zeros = 0;
            foreach (var b in digits)
            {
                if (IsWhiteSpace(b))
                {
                    continue;
                }
                var value = b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
                if (high)
                {
                    bytes[index] = (byte)(value << 4);
                }
                else
                {
                    bytes[index++] |= (byte)value;
                }
                high = !high;
            }
            foreach (var b in bytes)
            {
                zeros += b == 0 ? 1 : 0;
            }
            var token = (HexToken)RuntimeHelpers.GetUninitializedObject(typeof(HexToken));
            HexBytes(token) = bytes;
            HexData(token) = bytes is [0xFE, 0xFF, ..] ? Encoding.BigEndianUnicode.GetString(bytes, 2, bytes.Length - 2)
                : zeros == 0 ? Encoding.Latin1.GetString(bytes)
                : string.Create(bytes.Length - zeros, bytes, static (text, bytes) =>
                {
                    var at = 0;
                    foreach (var b in bytes)
                    {
                        if (b != 0)
                        {
                            text[at++] = (char)b;
                        }
                    }
                });
            return token;
        }

        private bool TryReadArray(int depth, out IToken token)
        {
            token = NullToken.Instance;
            if (depth >= MaxNesting)
            {
                return false;
            }
            _at++;
            var items = new List<IToken>();
            while (SkipWhiteSpace())
            {
                if (_bytes[_at] == ']')
                {
                    _at++;
                    token = new ArrayToken(items);
                    return true;
                }
                if (!TryReadToken(depth + 1, out var item) || item is OperatorToken)
                {
                    return false;
                }
                items.Add(item);
            }
            return false;
        }

        private bool TryReadDictionary(int depth, out IToken token)
        {
            token = NullToken.Instance;
            if (depth >= MaxNesting)
            {
                return false;
            }
            _at += 2;
            var entries = new Dictionary<NameToken, IToken>();
            while (SkipWhiteSpace())
            {
                if (_bytes[_at] == '>')
                {
                    if (_at + 1 >= _bytes.Length || _bytes[_at + 1] != '>')
                    {
                        return false;
                    }
                    _at += 2;
                    token = new DictionaryToken(entries);
                    return true;
                }
                if (_bytes[_at] != '/' || !TryReadName(out var key) || !SkipWhiteSpace() || _bytes[_at] == '>'
                    || !TryReadToken(depth + 1, out var value) || value is OperatorToken)
                {
                    return false;
                }
                if (value is NumericToken && SkipWhiteSpace() && _bytes[_at] is (byte)'-' or (byte)'.' or (>= (byte)'0' and <= (byte)'9'))
                {
                    // Two numbers in a row: PdfPig reads them as a reference or drops them.
                    return false;
                }
                entries[(NameToken)key] = value;
            }
            return false;
        }

        /// <summary>Up to seven bytes and their count as one key.</summary>
        private static ulong Pack(ReadOnlySpan<byte> bytes)
        {
            var key = (ulong)bytes.Length;
            foreach (var b in bytes)
            {
                key = (key << 8) | b;
            }
            return key;
        }

        /// <summary>PdfPig's white space (ISO 32000-1, table 1).</summary>
        private static bool IsWhiteSpace(byte b) => b is 0 or 9 or 10 or 12 or 13 or 32;

        private static bool IsEndOfName(byte b) => b is 32 or 13 or 10 or 9 or 62 or 60 or 91 or 47 or 93 or 41 or 40 or 0 or 12;
    }
}
