using System.Text.Json;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Writers;

/// <summary>
/// Writes <c>embeddings.jsonl</c>: one line per chunk of the document with its text, location, word pieces and vector
/// (<c>{"index":0,"text":"…","location":{"page":1,"block":3,"offset":0,"length":120},"tokens":31,"vector":[…]}</c>);
/// nothing unless the <c>embeddings</c> annotator ran for the document's profile.
/// </summary>
public sealed class EmbeddingsJsonlWriter : IOutputWriter
{
    /// <summary>The file written.</summary>
    public const string FileName = "embeddings.jsonl";

    private static readonly JsonWriterOptions LineOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <inheritdoc />
    public string Kind => "embeddings";

    /// <inheritdoc />
    public bool AppliesTo(Document document) => true;

    /// <inheritdoc />
    public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Annotations.ChunkEmbeddings is not { Chunks.Count: > 0 } embeddings)
        {
            return [];
        }
        var path = Path.Combine(context.OutputDirectory, FileName);
        await using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            var line = new MemoryStream();
            for (var i = 0; i < embeddings.Chunks.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var chunk = embeddings.Chunks[i];
                line.SetLength(0);
                using (var writer = new Utf8JsonWriter(line, LineOptions))
                {
                    writer.WriteStartObject();
                    writer.WriteNumber("index", i);
                    writer.WriteString("text", chunk.Text);
                    WriteLocation(writer, chunk.Location);
                    writer.WriteNumber("tokens", chunk.Tokens);
                    writer.WriteStartArray("vector");
                    foreach (var x in chunk.Vector)
                    {
                        writer.WriteNumberValue(x);
                    }
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }
                line.WriteByte((byte)'\n');
                line.Position = 0;
                await line.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
            }
        }
        return [WrittenOutput.For(context.OutputDirectory, FileName, Kind, "application/jsonl")];
    }

    private static void WriteLocation(Utf8JsonWriter writer, SourceLocation location)
    {
        writer.WriteStartObject("location");
        Number("page", location.Page);
        Text("sheet", location.Sheet);
        Text("cell", location.Cell);
        Number("line", location.Line);
        Number("block", location.Block);
        Number("offset", location.Offset);
        Number("length", location.Length);
        writer.WriteEndObject();

        void Number(string name, int? value)
        {
            if (value is { } number)
            {
                writer.WriteNumber(name, number);
            }
        }

        void Text(string name, string? value)
        {
            if (value is not null)
            {
                writer.WriteString(name, value);
            }
        }
    }
}
