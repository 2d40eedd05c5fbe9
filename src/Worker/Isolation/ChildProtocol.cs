using System.Text.Json;
using System.Text.Json.Serialization;
using Annotate.Messages;

namespace Annotate.Worker.Isolation;

/// <summary>
/// The protocol between the worker and its pipeline child: one JSON object per line, on the child's stdin (worker to
/// child: <c>run</c>, <c>cancel</c>) and stdout (child to worker: <c>hello</c>, <c>heartbeat</c>, <c>progress</c>,
/// <c>result</c>, <c>error</c>). The child's logs go to stderr. A child that speaks another <see cref="Version"/> is refused.
/// </summary>
internal static class ChildProtocol
{
    /// <summary>
    /// Version of the frames below; bumped on any change that an older peer would misread. 2: <c>progress</c> frames,
    /// and model token counts (<see cref="ChildUsage"/>) on heartbeats, results and errors. 3: the parts folder, depth and
    /// parent on <c>run</c>, and the parts written on <c>result</c>.
    /// </summary>
    public const int Version = 3;

    /// <summary>The argument that starts the worker executable as a pipeline child.</summary>
    public const string ChildArgument = "--pipeline-child";

    public const string Hello = "hello";
    public const string Heartbeat = "heartbeat";
    public const string Progress = "progress";

    /// <summary>
    /// Child → worker, once its warm-up is over (done, failed or cut short): documents from then on find the readers,
    /// writers and what the profiles load on first use ready. A worker that does not know it ignores it.
    /// </summary>
    public const string WarmedUp = "warmed-up";

    /// <summary>Child → worker, when it has given back what it loads on first use after sitting idle.</summary>
    public const string Released = "released";
    public const string Run = "run";
    public const string Cancel = "cancel";
    public const string Result = "result";
    public const string Error = "error";

    /// <summary>Kinds of <see cref="ChildError"/>.</summary>
    public const string AnnotationError = "annotation";
    public const string CancelledError = "cancelled";
    public const string IoError = "io";
    public const string InternalError = "internal";

    public static string Write(ChildFrame frame) => JsonSerializer.Serialize(frame, ChildProtocolJson.Default.ChildFrame);

    /// <summary>The frame as one line of UTF-8, newline included.</summary>
    public static byte[] WriteLine(ChildFrame frame)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(frame, ChildProtocolJson.Default.ChildFrame);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>The frame on a line, or null when the line is no frame (the protocol ignores those).</summary>
    public static ChildFrame? Read(string line)
    {
        if (line.Length == 0 || line[0] != '{')
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(line, ChildProtocolJson.Default.ChildFrame);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One line of the protocol; <see cref="Type"/> says which of the optional parts it carries.</summary>
internal sealed record ChildFrame
{
    public required string Type { get; init; }
    public string? RequestId { get; init; }
    public ChildHello? Hello { get; init; }
    public ChildRun? Run { get; init; }
    public ChildResult? Result { get; init; }
    public ChildError? Error { get; init; }
    /// <summary>On <c>progress</c> frames, and on <c>error</c> frames: where the document had got to.</summary>
    public ChildProgress? Progress { get; init; }
    /// <summary>Model tokens counted in the child since the last frame that carried them.</summary>
    public ChildUsage? Usage { get; init; }
    /// <summary>On <c>released</c> frames: what was given back, and the child's resident memory before and after.</summary>
    public ChildReleased? Released { get; init; }
}

/// <summary>Where a document is in the pipeline: the stage it is in (or finished last), and what it holds so far.</summary>
internal sealed record ChildProgress
{
    /// <summary><c>read</c>, <c>annotate</c> or <c>write</c>.</summary>
    public required string Stage { get; init; }
    /// <summary>False while <see cref="Stage"/> runs, true once it has finished.</summary>
    public bool Finished { get; init; }
    public string? Format { get; init; }
    public int? Pages { get; init; }
    public long Rows { get; init; }
    /// <summary>Durations of the stages finished so far.</summary>
    public double? ReadMs { get; init; }
    public double? AnnotateMs { get; init; }
    public double? WriteMs { get; init; }
}

/// <summary>What an idle child gave back (<see cref="IsolationOptions.ReleaseCachesAfter"/>) and what that did to its size.</summary>
internal sealed record ChildReleased
{
    /// <summary>Names of what was released (<c>sentence-encoder</c>, <c>language-detector</c>).</summary>
    public required List<string> Items { get; init; }
    public long? ResidentMegabytesBefore { get; init; }
    public long? ResidentMegabytesAfter { get; init; }
    public double Ms { get; init; }
}

/// <summary>Tokens the child's model read and generated (all its documents together: the model serves them in batches).</summary>
internal sealed record ChildUsage
{
    public long TokensIn { get; init; }
    public long TokensOut { get; init; }
}

/// <summary>Serialization of the frames, generated at build time: no reflection per frame, and a faster first frame.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChildFrame))]
internal sealed partial class ChildProtocolJson : JsonSerializerContext;

/// <summary>The child is ready: what it speaks and what model it holds (the worker never loads the model itself).</summary>
internal sealed record ChildHello
{
    public int Version { get; init; }
    public int ProcessId { get; init; }
    public required string ModelState { get; init; }
    public bool ModelAvailable { get; init; }
    public string? ModelSha256 { get; init; }
    public string? ModelReason { get; init; }
    public string? ModelName { get; init; }
    /// <summary>Time from the child's start to the model loaded (or found missing).</summary>
    public double StartMs { get; init; }
    /// <summary>Whether the child runs the server garbage collector (<see cref="IsolationOptions.ServerGarbageCollection"/>).</summary>
    public bool ServerGarbageCollection { get; init; }
}

/// <summary>A document to annotate: the staged bytes and the output folder on this machine.</summary>
internal sealed record ChildRun
{
    public required string DocumentId { get; init; }
    public required string SourcePath { get; init; }
    public required string FileName { get; init; }
    public required string OutputDirectory { get; init; }
    public string? Profile { get; init; }
    public List<string>? Outputs { get; init; }
    public string? ExpectedSha256 { get; init; }
    public string? SourceSha256 { get; init; }
    public List<Annotate.Annotators.Annotations.ReviewedExample>? Examples { get; init; }
    public string? PartsDirectory { get; init; }
    public int Depth { get; init; }
    public string? ParentDocumentId { get; init; }
}

/// <summary>A document annotated: what the worker publishes about it.</summary>
internal sealed record ChildResult
{
    public required List<OutputFile> Outputs { get; init; }
    public required AnnotationDigest Digest { get; init; }
    public double ReadMs { get; init; }
    public double AnnotateMs { get; init; }
    public double WriteMs { get; init; }
    public required string ProfileFingerprint { get; init; }
    public string? ModelSha256 { get; init; }
    public long ModelTokensIn { get; init; }
    public long ModelTokensOut { get; init; }
    public List<Annotate.Annotators.Documents.EmbeddedFile>? Parts { get; init; }
}

/// <summary>A document that could not be annotated, or was cancelled.</summary>
internal sealed record ChildError
{
    public required string Kind { get; init; }
    public string? Reason { get; init; }
    public required string Message { get; init; }
    public bool Retryable { get; init; }
    public string? ExceptionType { get; init; }
}
