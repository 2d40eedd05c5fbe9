using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Models.Chunking;
using Annotate.Annotators.Profiles;

namespace Annotate.Annotators.Models.Tasks;

/// <summary>What the model tasks share: the system prompt, chunking within the budget, and the truncation notice.</summary>
internal static class TaskChunks
{
    public const string TruncatedNotice = "model-content-truncated";

    /// <summary>The system prompt: the task's own instructions, then the profile's, the same for every chunk so the host reuses its KV cache.</summary>
    public static string SystemPrompt(string task, AnnotationProfile profile) =>
        string.IsNullOrWhiteSpace(profile.Instructions) ? task : task + "\n" + profile.Instructions.Trim();

    /// <summary>The most reviewed examples a prompt shows.</summary>
    public const int MaxExamples = 10;

    /// <summary>
    /// The system prompt followed by the context's reviewed examples (their text, then the reviewed answer that
    /// <paramref name="answer"/> picks), newest first, as many as fit a quarter of the model context; an example's text is
    /// cut to fit. Part of the system prompt, so every chunk of the document shares it and the host reuses its cache.
    /// </summary>
    public static string SystemPrompt(string task, AnnotationContext context, ILanguageModel model, Func<ReviewedExample, JsonObject?> answer)
    {
        var system = SystemPrompt(task, context.Profile);
        var wanted = Math.Min(MaxExamples, context.Profile.FewShotExamples);
        if (context.Examples.Count == 0 || wanted <= 0)
        {
            return system;
        }
        var budget = model.Status.ContextSize / 4;
        var text = new StringBuilder(system).Append("\nExamples a person reviewed: a part of a document, then the right answer for it.");
        var used = model.CountTokens(text.ToString());
        var shown = 0;
        foreach (var example in context.Examples.Take(wanted))
        {
            if (answer(example) is not { Count: > 0 } value)
            {
                continue;
            }
            var number = (shown + 1).ToString(CultureInfo.InvariantCulture);
            var answerText = $"\nExample {number} answer: {value.ToJsonString()}";
            var input = example.Input.Trim();
            string block;
            int tokens;
            while (true)
            {
                block = $"\nExample {number} part:\n{input}{answerText}";
                tokens = model.CountTokens(block);
                if (used + tokens <= budget || input.Length < 80)
                {
                    break;
                }
                input = input[..(input.Length / 2)] + " …";
            }
            if (used + tokens > budget)
            {
                break;
            }
            text.Append(block);
            used += tokens;
            shown++;
        }
        return shown == 0 ? system : text.Append("\nNow the document to annotate.").ToString();
    }

    /// <summary>
    /// Chunks the document for a task whose user turn is <paramref name="userTemplate"/> with the chunk text in place of
    /// <c>{0}</c>; null when the document has no text. Adds a notice when content was left out.
    /// </summary>
    public static ChunkedDocument? Chunk(
        AnnotationContext context, ILanguageModel model, DocumentChunker chunker, string task, int maxOutputTokens,
        string system, string userTemplate, CancellationToken cancellationToken, int? maxChunkTokens = null)
    {
        var budget = chunker.BudgetFor(model, context.Document.FileName, task, maxOutputTokens, system, string.Format(CultureInfo.InvariantCulture, userTemplate, string.Empty));
        if (maxChunkTokens is { } cap)
        {
            budget = Math.Min(budget, Math.Max(cap, chunker.Options.MinimumChunkTokens));
        }
        var chunked = chunker.Chunk(context.Document, model.CountTokens, budget, cancellationToken);
        if (chunked.Chunks.Count == 0)
        {
            return null;
        }
        if (chunked.Truncated)
        {
            context.Annotations.Notices.Add(new Notice(TruncatedNotice,
                $"'{context.Document.FileName}' is longer than {chunker.Options.MaxChunksPerDocument} chunks of {budget} tokens; the '{task}' task read only the first " +
                $"{chunked.Chunks.Count} chunks (Annotate:Model:Chunking:MaxChunksPerDocument).") { Source = task });
        }
        return chunked;
    }

    /// <summary>The user turn for one chunk.</summary>
    public static string User(string userTemplate, DocumentChunk chunk) =>
        string.Format(CultureInfo.InvariantCulture, userTemplate, chunk.Text);

    /// <summary>Quotes a file name for a prompt without letting it break the prompt's lines.</summary>
    public static string FileName(Document document) =>
        document.FileName.Replace('\n', ' ').Replace('\r', ' ').Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);
}
