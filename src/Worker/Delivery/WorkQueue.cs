namespace Annotate.Worker.Delivery;

/// <summary>The queue (and exchange) workers take <c>AnnotateDocument</c> commands from.</summary>
public static class WorkQueue
{
    /// <summary>Queue and exchange name; its error queue is <c>annotate-document_error</c>.</summary>
    public const string Name = "annotate-document";
}
