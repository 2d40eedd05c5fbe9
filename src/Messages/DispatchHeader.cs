namespace Annotate.Messages;

/// <summary>
/// Header the gateway sets on each <see cref="AnnotateDocument"/> it sends: the number of the hand-over (1 for the first).
/// A worker that receives a later hand-over of a document it already finished publishes the recorded outcome again,
/// because the gateway evidently never received it; any other repeat of a finished command is ignored.
/// </summary>
public static class DispatchHeader
{
    /// <summary>Header name.</summary>
    public const string Name = "Annotate-Dispatch";
}
