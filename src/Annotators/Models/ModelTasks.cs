using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;

namespace Annotate.Annotators.Models;

/// <summary>What every model annotator does alike: decide whether the model can run, and record provenance.</summary>
public static class ModelTasks
{
    /// <summary>Notice code raised once per document when no model is configured.</summary>
    public const string NotConfiguredNotice = "model-not-configured";

    /// <summary>
    /// Null when the model can be used, once it has loaded: a document that arrives while the model loads waits for the
    /// load, for as long as <paramref name="cancellationToken"/> (which carries the document's time limit) allows. When no
    /// model is configured: a skipped outcome, and a notice telling the user how to add one (once per document). When the
    /// model failed to load: throws a retryable <c>model-unavailable</c>.
    /// </summary>
    public static async Task<AnnotatorOutcome?> CheckAvailableAsync(ILanguageModel model, AnnotationContext context, CancellationToken cancellationToken)
    {
        if (model.Status.State == "loading")
        {
            // Token counts and the context size need the loaded model; failing now would spend the document's retries
            // on a start-up that is going well.
            await model.WaitUntilLoadedAsync(cancellationToken).ConfigureAwait(false);
        }
        var status = model.Status;
        if (status.IsAvailable)
        {
            return null;
        }
        if (status.State == "not-configured")
        {
            if (!context.Annotations.Notices.Any(n => n.Code == NotConfiguredNotice))
            {
                context.Annotations.Notices.Add(new Notice(NotConfiguredNotice,
                    "No language model is configured, so the model annotators were skipped. Run 'models pull qwen2.5-1.5b-instruct' and set Annotate:Model:Path to add one.")
                { Source = "model" });
            }
            return AnnotatorOutcome.Skipped(NotConfiguredNotice);
        }
        throw new AnnotationException(FailureReason.ModelUnavailable,
            $"'{context.Document.FileName}' needs the language model, which is not available: {status.UserReason}", retryable: true);
    }

    /// <summary>Provenance of an output produced now with <paramref name="profile"/> and the given prompt version.</summary>
    public static ModelProvenance Provenance(ILanguageModel model, AnnotationProfile profile, string promptVersion) =>
        new(model.Status.Name ?? "unknown", model.Status.Sha256 ?? string.Empty, profile.Name, profile.Fingerprint(), promptVersion);
}
