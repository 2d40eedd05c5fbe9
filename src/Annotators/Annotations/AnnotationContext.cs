using Annotate.Annotators.Documents;
using Annotate.Annotators.Profiles;

namespace Annotate.Annotators.Annotations;

/// <summary>What an annotator works on: the document, the profile chosen for it, and the results so far.</summary>
public sealed class AnnotationContext(string documentId, Document document, AnnotationProfile profile)
{
    /// <summary>Identifier of the document.</summary>
    public string DocumentId { get; } = documentId;

    /// <summary>The document.</summary>
    public Document Document { get; } = document;

    /// <summary>The profile applied.</summary>
    public AnnotationProfile Profile { get; } = profile;

    /// <summary>Reviewed examples of the profile for the model's prompts (few-shot), newest first; empty when the profile uses none.</summary>
    public IReadOnlyList<ReviewedExample> Examples { get; init; } = [];

    /// <summary>Results so far; annotators add to it.</summary>
    public AnnotationSet Annotations { get; } = new();
}
