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
    private const int ModelOpsetImport = 8;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int NodeInput = 1;
    private const int NodeOperator = 4;
    private const int NodeDomain = 7;
    private const int OpsetDomain = 1;
    private const int OpsetVersion = 2;
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorName = 8;
    private const int TensorRawData = 9;
    private const int TensorExternalData = 13;
    private const int TensorDataLocation = 14;
    private const int EntryKey = 1;
    private const int EntryValue = 2;
    private const int DataLocationExternal = 1;
    private const int DataTypeFloat = 1;
    private const int DataTypeInt8 = 3;

    /// <summary>ONNX Runtime's operator domain, where <see cref="QuantizedMatMul"/> is.</summary>
    private const string MicrosoftDomain = "com.microsoft";

    /// <summary>ONNX Runtime's matrix product of a float input, quantized as it comes, and 8-bit weights with their scales.</summary>
    private const string QuantizedMatMul = "DynamicQuantizeMatMul";

    /// <summary>
    /// The largest 8-bit weight: 7 bits of range, as ONNX Runtime's own <c>reduce_range</c>. On cores without VNNI the
    /// 8-bit kernels multiply pairs of unsigned input bytes by signed weight bytes into 16 bits, which 127 × 255 × 2 overflows.
    /// </summary>
    internal const int QuantizedRange = 63;

    private const int Varint = 0;
    private const int Fixed64 = 1;
    private const int LengthDelimited = 2;
    private const int Fixed32 = 5;

    /// <summary>
    /// A tensor moved to the weights file: its name, where its bytes start, how many, whether rows of it are looked up,
    /// and whether it went as 8-bit weights with a scale per column.
    /// </summary>
    internal sealed record MovedTensor(string Name, long Offset, long Length, bool LookupTable, bool Quantized = false);

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="graph"/> with each initializer of <see cref="MinimumBytes"/> or
    /// more moved to <paramref name="weights"/>, a file named <paramref name="weightsFileName"/> beside the model's
    /// file (the name the model records); returns the tensors moved. With <paramref name="quantize"/>, the weights of
    /// each <c>MatMul</c> (a float matrix that nothing else reads) go as 8-bit integers with a scale per column, and the
    /// node becomes ONNX Runtime's <c>DynamicQuantizeMatMul</c>, which quantizes its input as it comes: a quarter of the
    /// bytes, and 8-bit kernels (what ONNX Runtime's <c>quantize_dynamic</c> does, with per-channel weights and 7-bit range).
    /// </summary>
    /// <exception cref="InvalidDataException">The model is not a protobuf ONNX model this can read.</exception>
    public static IReadOnlyList<MovedTensor> Split(Stream model, Stream graph, Stream weights, string weightsFileName, bool quantize = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(weightsFileName);
        if (!model.CanSeek)
        {
            throw new ArgumentException("The model must be read from a seekable stream.", nameof(model));
        }
        var moved = new List<MovedTensor>();
        var reader = new FieldReader(model, model.Length);
        var importsMicrosoft = false;
        while (reader.Next() is { } field)
        {
            if (field.Number == ModelGraph && field.WireType == LengthDelimited)
            {
                using var rewritten = RewriteGraph(model, field, weights, weightsFileName, quantize, moved);
                WriteTag(graph, ModelGraph, LengthDelimited);
                WriteVarint(graph, (ulong)rewritten.Length);
                rewritten.Position = 0;
                rewritten.CopyTo(graph);
            }
            else
            {
                if (field.Number == ModelOpsetImport && field.WireType == LengthDelimited)
                {
                    importsMicrosoft |= Strings(Payload(model, field), OpsetDomain).Contains(MicrosoftDomain);
                }
                Copy(model, field.Start, field.PayloadEnd - field.Start, graph);
            }
        }
        if (moved.Any(t => t.Quantized) && !importsMicrosoft)
        {
            using var import = new MemoryStream();
            WriteString(import, OpsetDomain, MicrosoftDomain);
            WriteTag(import, OpsetVersion, Varint);
            WriteVarint(import, 1);
            WriteMessage(graph, ModelOpsetImport, import.GetBuffer().AsSpan(0, (int)import.Length));
        }
        return moved;
    }

    private static MemoryStream RewriteGraph(Stream model, Field graphField, Stream weights, string weightsFileName, bool quantize, List<MovedTensor> moved)
    {
        var output = new MemoryStream();
        var lookupTables = new HashSet<string>(StringComparer.Ordinal);
        var reader = new FieldReader(model, graphField.PayloadEnd, graphField.PayloadStart);
        // Nodes first: which initializers are lookup tables is known from the nodes, which a graph may list after them.
        var fields = new List<Field>();
        var nodes = new Dictionary<Field, Node>();
        while (reader.Next() is { } field)
        {
            fields.Add(field);
            if (field.Number == GraphNode && field.WireType == LengthDelimited)
            {
                var node = nodes[field] = Node.Read(Payload(model, field));
                if (node.Operator == "Gather" && node.Domain.Length == 0 && node.Inputs.Count > 0)
                {
                    lookupTables.Add(node.Inputs[0]);
                }
            }
        }
        var quantized = quantize ? QuantizableWeights(model, fields, nodes) : [];
        var quantizedNames = quantized.Values.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            if (field.Number == GraphInitializer && field.WireType == LengthDelimited && quantized.TryGetValue(field, out var matrix))
            {
                var (tensor, scales) = QuantizeTensor(model, matrix, weights, weightsFileName);
                moved.Add(tensor.Moved);
                WriteMessage(output, GraphInitializer, tensor.Fields);
                WriteMessage(output, GraphInitializer, scales);
            }
            else if (field.Number == GraphInitializer && field.WireType == LengthDelimited
                && MoveTensor(model, field, weights, weightsFileName, lookupTables) is { } tensor)
            {
                moved.Add(tensor.Moved);
                WriteMessage(output, GraphInitializer, tensor.Fields);
            }
            else if (nodes.TryGetValue(field, out var node) && node.IsMatMul && quantizedNames.Contains(node.Inputs[1]))
            {
                WriteMessage(output, GraphNode, QuantizedNode(model, field, node.Inputs[1]));
            }
            else
            {
                Copy(model, field.Start, field.PayloadEnd - field.Start, output);
            }
        }
        return output;
    }

    /// <summary>
    /// The initializers to quantize: a float matrix held as raw data that only <c>MatMul</c> nodes read, and only as
    /// their weights (second input); anything else reads it as floats, so it stays.
    /// </summary>
    private static Dictionary<Field, Matrix> QuantizableWeights(Stream model, List<Field> fields, Dictionary<Field, Node> nodes)
    {
        var weightsOfMatMul = new HashSet<string>(StringComparer.Ordinal);
        var readOtherwise = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes.Values)
        {
            for (var i = 0; i < node.Inputs.Count; i++)
            {
                (node.IsMatMul && i == 1 ? weightsOfMatMul : readOtherwise).Add(node.Inputs[i]);
            }
        }
        var quantizable = new Dictionary<Field, Matrix>();
        foreach (var field in fields.Where(f => f.Number == GraphInitializer && f.WireType == LengthDelimited))
        {
            if (Matrix.Read(model, field) is { } matrix && weightsOfMatMul.Contains(matrix.Name) && !readOtherwise.Contains(matrix.Name))
            {
                quantizable[field] = matrix;
            }
        }
        return quantizable;
    }

    /// <summary>
    /// The matrix as 8-bit integers in the weights file (symmetric, a scale per column: a column's largest magnitude is
    /// <see cref="QuantizedRange"/>), under its own name, and a float initializer of the columns' scales beside it.
    /// </summary>
    private static ((byte[] Fields, MovedTensor Moved) Tensor, byte[] Scales) QuantizeTensor(Stream model, Matrix matrix, Stream weights, string weightsFileName)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw data is little-endian; this machine is not.");
        }
        var values = new float[matrix.Rows * matrix.Columns];
        model.Position = matrix.RawStart;
        model.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        var scales = new float[matrix.Columns];
        for (var r = 0; r < matrix.Rows; r++)
        {
            for (var c = 0; c < matrix.Columns; c++)
            {
                scales[c] = Math.Max(scales[c], Math.Abs(values[(r * matrix.Columns) + c]));
            }
        }
        for (var c = 0; c < scales.Length; c++)
        {
            // A column of zeros keeps zeros at any scale; 1 keeps the division defined.
            scales[c] = scales[c] > 0 ? scales[c] / QuantizedRange : 1f;
        }
        var quantized = new byte[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            quantized[i] = unchecked((byte)(sbyte)Math.Clamp(MathF.Round(values[i] / scales[i % matrix.Columns]), -QuantizedRange, QuantizedRange));
        }

        var offset = Pad(weights);
        weights.Write(quantized);
        using var rest = new MemoryStream();
        foreach (var dimension in matrix.Dimensions)
        {
            WriteTag(rest, TensorDims, Varint);
            WriteVarint(rest, (ulong)dimension);
        }
        WriteTag(rest, TensorDataType, Varint);
        WriteVarint(rest, DataTypeInt8);
        WriteString(rest, TensorName, matrix.Name);
        WriteExternal(rest, weightsFileName, offset, quantized.Length);

        using var scaleTensor = new MemoryStream();
        WriteTag(scaleTensor, TensorDims, Varint);
        WriteVarint(scaleTensor, (ulong)matrix.Columns);
        WriteTag(scaleTensor, TensorDataType, Varint);
        WriteVarint(scaleTensor, DataTypeFloat);
        WriteString(scaleTensor, TensorName, ScalesName(matrix.Name));
        WriteTag(scaleTensor, TensorRawData, LengthDelimited);
        WriteVarint(scaleTensor, (ulong)(scales.Length * sizeof(float)));
        scaleTensor.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(scales.AsSpan()));
        return ((rest.ToArray(), new MovedTensor(matrix.Name, offset, quantized.Length, LookupTable: false, Quantized: true)), scaleTensor.ToArray());
    }

    /// <summary>The name of the initializer that holds the column scales of the quantized <paramref name="weights"/>.</summary>
    internal static string ScalesName(string weights) => weights + "/scales";

    /// <summary>The node with its operator now <c>com.microsoft.DynamicQuantizeMatMul</c> and the weights' scales as its third input.</summary>
    private static byte[] QuantizedNode(Stream model, Field nodeField, string weightsName)
    {
        using var node = new MemoryStream();
        var reader = new FieldReader(model, nodeField.PayloadEnd, nodeField.PayloadStart);
        while (reader.Next() is { } field)
        {
            if (field.Number is not (NodeOperator or NodeDomain))
            {
                Copy(model, field.Start, field.PayloadEnd - field.Start, node);
            }
        }
        // Inputs keep their order: the input, the weights (copied above), then the scales; no zero point (symmetric, 0).
        WriteString(node, NodeInput, ScalesName(weightsName));
        WriteString(node, NodeOperator, QuantizedMatMul);
        WriteString(node, NodeDomain, MicrosoftDomain);
        return node.ToArray();
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
        var offset = Pad(weights);
        var length = bytes.PayloadEnd - bytes.PayloadStart;
        var lookup = lookupTables.Contains(name);
        Copy(model, bytes.PayloadStart, length, weights, lookup ? PieceBytes : CopyBytes);
        using var rest = new MemoryStream();
        foreach (var field in fields)
        {
            Copy(model, field.Start, field.PayloadEnd - field.Start, rest);
        }
        WriteExternal(rest, weightsFileName, offset, length);
        return (rest.ToArray(), new MovedTensor(name, offset, length, lookup));
    }

    /// <summary>Pads the weights file to the next multiple of <see cref="Alignment"/>; returns where the next tensor starts.</summary>
    private static long Pad(Stream weights)
    {
        var padding = (Alignment - (weights.Position % Alignment)) % Alignment;
        if (padding > 0)
        {
            weights.Write(new byte[padding]);
        }
        return weights.Position;
    }

    /// <summary>The fields that say a tensor's bytes are <paramref name="length"/> bytes at <paramref name="offset"/> of the weights file.</summary>
    private static void WriteExternal(Stream tensor, string weightsFileName, long offset, long length)
    {
        WriteEntry(tensor, "location", weightsFileName);
        WriteEntry(tensor, "offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WriteEntry(tensor, "length", length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WriteTag(tensor, TensorDataLocation, Varint);
        WriteVarint(tensor, DataLocationExternal);
    }

    private static void WriteMessage(Stream output, int number, ReadOnlySpan<byte> message)
    {
        WriteTag(output, number, LengthDelimited);
        WriteVarint(output, (ulong)message.Length);
        output.Write(message);
    }

    /// <summary>The values of a message's string fields numbered <paramref name="number"/>, in order.</summary>
    private static List<string> Strings(byte[] message, int number)
    {
        using var stream = new MemoryStream(message, writable: false);
        var reader = new FieldReader(stream, message.Length);
        var values = new List<string>();
        while (reader.Next() is { } field)
        {
            if (field.Number == number && field.WireType == LengthDelimited)
            {
                values.Add(Encoding.UTF8.GetString(message, (int)field.PayloadStart, (int)(field.PayloadEnd - field.PayloadStart)));
            }
        }
        return values;
    }

    /// <summary>What the rewrite needs of a node: its operator, its domain (empty for ONNX's own) and its inputs.</summary>
    private sealed record Node(string Operator, string Domain, List<string> Inputs)
    {
        public bool IsMatMul => Operator == "MatMul" && Domain.Length == 0 && Inputs.Count == 2;

        public static Node Read(byte[] node) =>
            new(Strings(node, NodeOperator).LastOrDefault() ?? "", Strings(node, NodeDomain).LastOrDefault() ?? "", Strings(node, NodeInput));
    }

    /// <summary>A float initializer of two dimensions held as raw data, whose bytes are where <see cref="RawStart"/> says.</summary>
    private sealed record Matrix(string Name, long[] Dimensions, long RawStart)
    {
        public int Rows => (int)Dimensions[0];

        public int Columns => (int)Dimensions[1];

        /// <summary>
        /// The tensor as a matrix to quantize, or null when it is not a float matrix of raw data whose size its dimensions
        /// give, of <see cref="MinimumBytes"/> or more (a smaller one stays in the model as it is).
        /// </summary>
        public static Matrix? Read(Stream model, Field tensorField)
        {
            var reader = new FieldReader(model, tensorField.PayloadEnd, tensorField.PayloadStart);
            var dimensions = new List<long>();
            long dataType = 0;
            string? name = null;
            Field? raw = null;
            while (reader.Next() is { } field)
            {
                switch (field.Number, field.WireType)
                {
                    case (TensorDims, Varint):
                        dimensions.Add((long)ReadVarintAt(model, field.PayloadStart, field.PayloadEnd));
                        break;
                    case (TensorDims, LengthDelimited):
                        // Packed, as a proto3 writer may write them.
                        for (var position = field.PayloadStart; position < field.PayloadEnd;)
                        {
                            dimensions.Add((long)ReadVarintAt(model, position, field.PayloadEnd));
                            position = model.Position;
                        }
                        break;
                    case (TensorDataType, Varint):
                        dataType = (long)ReadVarintAt(model, field.PayloadStart, field.PayloadEnd);
                        break;
                    case (TensorName, LengthDelimited):
                        name = Encoding.UTF8.GetString(Payload(model, field));
                        break;
                    case (TensorRawData, LengthDelimited):
                        raw = field;
                        break;
                    case (TensorExternalData or TensorDataLocation, _):
                        return null;
                }
            }
            if (name is null || raw is not { } bytes || dataType != DataTypeFloat || dimensions.Count != 2 || bytes.PayloadEnd - bytes.PayloadStart < MinimumBytes
                || dimensions[0] <= 0 || dimensions[1] <= 0 || dimensions[0] * dimensions[1] > int.MaxValue / sizeof(float)
                || bytes.PayloadEnd - bytes.PayloadStart != dimensions[0] * dimensions[1] * sizeof(float))
            {
                return null;
            }
            return new Matrix(name, [.. dimensions], bytes.PayloadStart);
        }
    }

    /// <summary>The varint at <paramref name="position"/>, which ends before <paramref name="end"/>; leaves the stream just after it.</summary>
    private static ulong ReadVarintAt(Stream stream, long position, long end)
    {
        stream.Position = position;
        return ReadVarint(stream, end);
    }

    /// <summary>The varint at the stream's position, which ends before <paramref name="end"/>; leaves the stream just after it.</summary>
    private static ulong ReadVarint(Stream stream, long end)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = stream.Position < end ? stream.ReadByte() : -1;
            if (b < 0)
            {
                throw new InvalidDataException("The model ends inside a number.");
            }
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
        throw new InvalidDataException("The model holds a number longer than ten bytes.");
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
            var value = OnnxExternalWeights.ReadVarint(stream, end);
            _position = stream.Position;
            return value;
        }
    }
}
