namespace Annotate.Annotators.Pipeline;

/// <summary>A stage of <see cref="IDocumentPipeline"/> started or finished, with what the document holds so far.</summary>
public sealed record PipelineProgress
{
    /// <summary>Stage names: the same as the <c>stage</c> tag of the stage-duration metrics.</summary>
    public static class Stages
    {
        public const string Read = "read";
        public const string Annotate = "annotate";
        public const string Write = "write";
    }

    /// <summary><see cref="Stages.Read"/>, <see cref="Stages.Annotate"/> or <see cref="Stages.Write"/>.</summary>
    public required string Stage { get; init; }

    /// <summary>False when the stage starts, true when it has finished.</summary>
    public bool Finished { get; init; }

    /// <summary>How long the stage took, when <see cref="Finished"/>.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Detected format (lowercase), once known.</summary>
    public string? Format { get; init; }

    /// <summary>Pages (PDF) or sheets (workbook) read so far; null before the document is read or when the format has none.</summary>
    public int? Pages { get; init; }

    /// <summary>Table rows known so far (streamed tables count once their size is known).</summary>
    public long Rows { get; init; }
}
