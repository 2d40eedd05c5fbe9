namespace Annotate.Annotators.Annotations;

/// <summary>One annotation step: reads the document (and what earlier annotators found) and adds to the <see cref="AnnotationSet"/>.</summary>
public interface IAnnotator
{
    /// <summary>Stable name, recorded on every annotation it produces and used by profiles to choose annotators.</summary>
    string Name { get; }

    /// <summary>Annotators run in ascending order; ones that use others' results run later.</summary>
    int Order { get; }

    /// <summary>Annotates the document; returns <see cref="AnnotatorOutcome.Skipped"/> when it does not apply.</summary>
    Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken);

    /// <summary>
    /// True for an annotator that may run at the same time as the annotators right next to it in order that say so
    /// too, on another core: it reads the document without changing it, writes only annotations of its own, and reads
    /// none that they write (it may add notices, under the lock of the notices list). The local annotators that scan
    /// every row of a table say so.
    /// </summary>
    bool RunsAlongside => false;
}

/// <summary>Whether an annotator ran or why it did not.</summary>
public sealed record AnnotatorOutcome(bool Ran, string? Reason)
{
    /// <summary>The annotator ran.</summary>
    public static readonly AnnotatorOutcome Done = new(true, null);

    /// <summary>The annotator did not apply, for the reason given.</summary>
    public static AnnotatorOutcome Skipped(string reason) => new(false, reason);
}
