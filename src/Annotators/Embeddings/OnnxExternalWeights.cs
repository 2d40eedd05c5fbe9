using System.Buffers;
using System.Text;

namespace Annotate.Annotators.Embeddings;

/// <summary>
/// Rewrites an ONNX model so that its weights live in a file of their own, as ONNX's external data (the model's
/// initializers name the file, an offset and a length instead of holding their bytes). ONNX Runtime maps such a file
/// into memory rather than copying the weights into buffers of its own: its pages are the file's, read from the
/// kernel's file cache when first used, and only the pages a run reads count in the process's resident size. For the
/// sentence encoder that is the word-embedding table above all (47 of its 91 MB): a text reads the rows of its own
/// word pieces, not the 30,522 rows of the vocabulary.
/// </summary>
/// <remarks>
/// The model is read from a seekable stream field by field (the protobuf wire format: a tag, then a varint, a fixed
/// 4 or 8 bytes, or a length and that many bytes); everything but the graph's large initializers is copied as it is.
/// A lookup table (an initializer that a <c>Gather</c> node reads rows of) is written in pieces of a page: the file cache
/// then holds it in pages of that size, and a run's fault maps the pages around the rows it reads, not a large block
/// the write left in the cache (a table written at once was 11 MB resident after one sentence, written by the page
/// 0.5 MB; docs/BENCHMARKS.md).
/// </remarks>
internal static class OnnxExternalWeights
{
    /// <summary>Offsets of the tensors in the weights file are multiples of this: any system's mapping granularity.</summary>
    internal const int Alignment = 64 * 1024;

    /// <summary>Initializers smaller than this stay in the model.</summary>
    internal const int MinimumBytes = 4096;

    private const int PieceBytes = 4096;
    private const int CopyBytes = 1 << 20;

    // Field numbers of onnx.proto: ModelProto.graph; GraphProto.node and .initializer; NodeProto.input and .op_type;
    // TensorProto.name, .raw_data, .external_data and .data_location; StringStringEntryProto.key and .value.
    private const int ModelGraph = 7;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int NodeInput = 1;
    private const int NodeOperator = 4;
    private const int TensorName = 8;
    private const int TensorRawData = 9;
    private const int TensorExternalData = 13;
    private const int TensorDataLocation = 14;
    private const int EntryKey = 1;
    private const int EntryValue = 2;
    private const int DataLocationExternal = 1;

    private const int Varint = 0;
    private const int Fixed64 = 1;
    private const int LengthDelimited = 2;
    private const int Fixed32 = 5;

    /// <summary>A tensor moved to the weights file: its name, where its bytes start, how many, and whether rows of it are looked up.</summary>
    internal sealed record MovedTensor(string Name, long Offset, long Length, bool LookupTable);

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="graph"/> with each initializer of <see cref="MinimumBytes"/> or
    /// more moved to <paramref name="weights"/>, a file named <paramref name="weightsFileName"/> beside the model's
    /// file (the name the model records); returns the tensors moved.
    /// </summary>
    /// <exception cref="InvalidDataException">The model is not a protobuf ONNX model this can read.</exception>
    public static IReadOnlyList<MovedTensor> Split(Stream model, Stream graph, Stream weights, string weightsFileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(weightsFileName);
        if (!model.CanSeek)
        {
            throw new ArgumentException("The model must be read from a seekable stream.", nameof(model));
        }
        var moved = new List<MovedTensor>();
        var reader = new FieldReader(model, model.Length);
        while (reader.Next() is { } field)
        {
            if (field.Number == ModelGraph && field.WireType == LengthDelimited)
            {
                var rewritten = RewriteGraph(model, field, weights, weightsFileName, moved);
                WriteTag(graph, ModelGraph, LengthDelimited);
                WriteVarint(graph, (ulong)rewritten.Length);
                rewritten.Position = 0;
                rewritten.CopyTo(graph);
            }
            else
            {
                Copy(model, field.Start, field.PayloadEnd - field.Start, graph);
            }
        }
        return moved;
    }

    private static MemoryStream RewriteGraph(Stream model, Field graphField, Stream weights, string weightsFileName, List<MovedTensor> moved)
    {
        var output = new MemoryStream();
        var lookupTables = new HashSet<string>(StringComparer.Ordinal);
        var reader = new FieldReader(model, graphField.PayloadEnd, graphField.PayloadStart);
        // Nodes first: which initializers are lookup tables is known from the nodes, which a graph may list after them.
        var fields = new List<Field>();
        while (reader.Next() is { } field)
        {
            fields.Add(field);
            if (field.Number == GraphNode && field.WireType == LengthDelimited && GatherTable(Payload(model, field)) is { } table)
            {
                lookupTables.Add(table);
            }
        }
        foreach (var field in fields)
        {
            if (field.Number == GraphInitializer && field.WireType == LengthDelimited
                && MoveTensor(model, field, weights, weightsFileName, lookupTables) is { } tensor)
            {
                moved.Add(tensor.Moved);
                WriteTag(output, GraphInitializer, LengthDelimited);
                WriteVarint(output, (ulong)tensor.Fields.Length);
                output.Write(tensor.Fields);
            }
            else
            {
                Copy(model, field.Start, field.PayloadEnd - field.Start, output);
            }
        }
        return output;
    }

    /// <summary>The initializer a node reads rows of when it is a <c>Gather</c> (its first input); null for any other node.</summary>
    private static string? GatherTable(byte[] node)
    {
        using var stream = new MemoryStream(node, writable: false);
        var reader = new FieldReader(stream, node.Length);
        string? first = null;
        var gather = false;
        while (reader.Next() is { } field)
        {
            if (field.WireType != LengthDelimited)
            {
                continue;
            }
            if (field.Number == NodeInput && first is null)
            {
                first = Encoding.UTF8.GetString(node, (int)field.PayloadStart, (int)(field.PayloadEnd - field.PayloadStart));
            }
            else if (field.Number == NodeOperator)
            {
                gather = node.AsSpan((int)field.PayloadStart, (int)(field.PayloadEnd - field.PayloadStart)).SequenceEqual("Gather"u8);
            }
        }
        return gather ? first : null;
    }

    /// <summary>
    /// The tensor's fields without its bytes, and where its bytes went, when it holds <see cref="MinimumBytes"/> or more
    /// as raw data; null when it stays as it is (small, typed fields instead of raw data, or external already).
    /// </summary>
    private static (byte[] Fields, MovedTensor Moved)? MoveTensor(Stream model, Field tensorField, Stream weights, string weightsFileName,
        HashSet<string> lookupTables)
    {
        var reader = new FieldReader(model, tensorField.PayloadEnd, tensorField.PayloadStart);
        var fields = new List<Field>();
        Field? raw = null;
        string? name = null;
        while (reader.Next() is { } field)
        {
            switch (field.Number)
            {
                case TensorExternalData or TensorDataLocation:
                    return null;
                case TensorRawData when field.WireType == LengthDelimited:
                    raw = field;
                    continue;
                case TensorName when field.WireType == LengthDelimited:
                    name = Encoding.UTF8.GetString(Payload(model, field));
                    break;
            }
            fields.Add(field);
        }
        if (raw is not { } bytes || bytes.PayloadEnd - bytes.PayloadStart < MinimumBytes || name is null)
        {
            return null;
        }
        var padding = (Alignment - (weights.Position % Alignment)) % Alignment;
        if (padding > 0)
        {
            weights.Write(new byte[padding]);
        }
        var offset = weights.Position;
        var length = bytes.PayloadEnd - bytes.PayloadStart;
        var lookup = lookupTables.Contains(name);
        Copy(model, bytes.PayloadStart, length, weights, lookup ? PieceBytes : CopyBytes);
        using var rest = new MemoryStream();
        foreach (var field in fields)
        {
            Copy(model, field.Start, field.PayloadEnd - field.Start, rest);
        }
        WriteEntry(rest, "location", weightsFileName);
        WriteEntry(rest, "offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WriteEntry(rest, "length", length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WriteTag(rest, TensorDataLocation, Varint);
        WriteVarint(rest, DataLocationExternal);
        return (rest.ToArray(), new MovedTensor(name, offset, length, lookup));
    }

    private static void WriteEntry(Stream output, string key, string value)
    {
        using var entry = new MemoryStream();
        WriteString(entry, EntryKey, key);
        WriteString(entry, EntryValue, value);
        WriteTag(output, TensorExternalData, LengthDelimited);
        WriteVarint(output, (ulong)entry.Length);
        output.Write(entry.GetBuffer().AsSpan(0, (int)entry.Length));
    }

    private static void WriteString(Stream output, int number, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteTag(output, number, LengthDelimited);
        WriteVarint(output, (ulong)bytes.Length);
        output.Write(bytes);
    }

    private static void WriteTag(Stream output, int number, int wireType) => WriteVarint(output, ((ulong)number << 3) | (uint)wireType);

    private static void WriteVarint(Stream output, ulong value)
    {
        Span<byte> bytes = stackalloc byte[10];
        var count = 0;
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes[count++] = value == 0 ? b : (byte)(b | 0x80);
        }
        while (value != 0);
        output.Write(bytes[..count]);
    }

    /// <summary>The bytes of a length-delimited field's value (a node, a name).</summary>
    private static byte[] Payload(Stream model, Field field)
    {
        var bytes = new byte[field.PayloadEnd - field.PayloadStart];
        model.Position = field.PayloadStart;
        model.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>Copies <paramref name="length"/> bytes of <paramref name="source"/> from <paramref name="start"/>, in writes of at most <paramref name="piece"/> bytes.</summary>
    private static void Copy(Stream source, long start, long length, Stream destination, int piece = CopyBytes)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(piece, Math.Max(length, 1)));
        try
        {
            source.Position = start;
            while (length > 0)
            {
                var count = (int)Math.Min(Math.Min(length, piece), buffer.Length);
                source.ReadExactly(buffer, 0, count);
                destination.Write(buffer, 0, count);
                length -= count;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One field: where its tag starts, and where its value's bytes are (a length-delimited one's payload); it ends where they do.</summary>
    private readonly record struct Field(int Number, int WireType, long Start, long PayloadStart, long PayloadEnd);

    /// <summary>Reads the fields of a message that spans [start, end) of a stream, one after another, without reading payloads.</summary>
    private sealed class FieldReader(Stream stream, long end, long start = 0)
    {
        private long _position = start;

        public Field? Next()
        {
            if (_position >= end)
            {
                return null;
            }
            stream.Position = _position;
            var fieldStart = _position;
            var tag = ReadVarint();
            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            if (number <= 0)
            {
                throw new InvalidDataException("The model holds a field numbered 0: it is not an ONNX model.");
            }
            long payloadStart;
            long payloadEnd;
            switch (wireType)
            {
                case Varint:
                    payloadStart = _position;
                    ReadVarint();
                    payloadEnd = _position;
                    break;
                case Fixed64:
                    payloadStart = _position;
                    payloadEnd = _position + 8;
                    break;
                case LengthDelimited:
                    var length = ReadVarint();
                    payloadStart = _position;
                    payloadEnd = _position + (long)length;
                    break;
                case Fixed32:
                    payloadStart = _position;
                    payloadEnd = _position + 4;
                    break;
                default:
                    throw new InvalidDataException($"The model holds a field of wire type {wireType}, which ONNX does not use.");
            }
            if (payloadEnd > end || payloadEnd < payloadStart)
            {
                throw new InvalidDataException("The model holds a field that runs past the end of the message around it.");
            }
            _position = payloadEnd;
            return new Field(number, wireType, fieldStart, payloadStart, payloadEnd);
        }

        private ulong ReadVarint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_position >= end)
                {
                    throw new InvalidDataException("The model ends inside a number.");
                }
                var b = stream.ReadByte();
                if (b < 0)
                {
                    throw new InvalidDataException("The model ends inside a number.");
                }
                _position++;
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }
            throw new InvalidDataException("The model holds a number longer than ten bytes.");
        }
    }
}
