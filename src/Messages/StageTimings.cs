namespace Annotate.Messages;

/// <summary>Milliseconds spent in each stage of annotating one document.</summary>
public sealed record StageTimings
{
    /// <summary>Reading and parsing the source.</summary>
    public double ReadMs { get; init; }

    /// <summary>Running the annotators.</summary>
    public double AnnotateMs { get; init; }

    /// <summary>Writing the outputs.</summary>
    public double WriteMs { get; init; }

    /// <summary>The whole job, from the consumer receiving the command to the outputs being written.</summary>
    public double TotalMs { get; init; }
}
