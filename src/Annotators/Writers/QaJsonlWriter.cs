using System.Text;
using System.Text.Json;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Writers;

/// <summary>
/// Writes <c>qa.jsonl</c>: one line per question–answer pair in the chat fine-tuning format
/// (<c>{"messages":[system, user, assistant]}</c>); nothing when the <c>qa</c> annotator made no pairs.
/// </summary>
public sealed class QaJsonlWriter : IOutputWriter
{
    // Fine-tuning data is read by people too: keep apostrophes and accented letters as they are (still valid JSON;
    // quotes, backslashes and control characters are escaped).
    private static readonly JsonWriterOptions LineOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The file written.</summary>
    public const string FileName = "qa.jsonl";

    /// <inheritdoc />
    public string Kind => "qa";

    /// <inheritdoc />
    public bool AppliesTo(Document document) => true;

    /// <summary>The system message of every pair: a short prompt naming the document.</summary>
    public static string SystemPrompt(Document document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return $"You answer questions about the document '{document.FileName}'.";
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Annotations.QuestionAnswers is not { Pairs.Count: > 0 } qa)
        {
            return [];
        }
        var system = SystemPrompt(context.Document);
        var path = Path.Combine(context.OutputDirectory, FileName);
        await using (var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            var newline = "\n"u8.ToArray();
            foreach (var pair in qa.Pairs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var line = new MemoryStream();
                using (var writer = new Utf8JsonWriter(line, LineOptions))
                {
                    writer.WriteStartObject();
                    writer.WriteStartArray("messages");
                    Message(writer, "system", system);
                    Message(writer, "user", pair.Question);
                    Message(writer, "assistant", pair.Answer);
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }
                line.Write(newline);
                line.Position = 0;
                await line.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
            }
        }
        return [WrittenOutput.For(context.OutputDirectory, FileName, Kind, "application/jsonl")];
    }

    private static void Message(Utf8JsonWriter writer, string role, string content)
    {
        writer.WriteStartObject();
        writer.WriteString("role", role);
        writer.WriteString("content", content);
        writer.WriteEndObject();
    }
}
