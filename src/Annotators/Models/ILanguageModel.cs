namespace Annotate.Annotators.Models;

/// <summary>
/// The loaded local language model, shared by every annotator in the process. Requests from many documents are
/// decoded together; callers just await their completion.
/// </summary>
public interface ILanguageModel
{
    /// <summary>What is loaded, or why nothing is.</summary>
    ModelStatus Status { get; }

    /// <summary>
    /// Completes when the model has finished loading, whether it loaded or failed (<see cref="Status"/> then tells which);
    /// at once when there is nothing to load. Cancelling ends only this wait, never the load others wait for.
    /// </summary>
    Task WaitUntilLoadedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Number of tokens <paramref name="text"/> takes with this model's tokenizer. Throws a retryable <c>model-unavailable</c>
    /// while the model is not loaded: wait for <see cref="WaitUntilLoadedAsync"/> first.
    /// </summary>
    int CountTokens(string text);

    /// <summary>
    /// Generates an answer. Throws <see cref="Pipeline.AnnotationException"/> with <c>model-unavailable</c> (retryable) when
    /// no model is loaded and <c>model-timeout</c> when the call outlives <see cref="ModelOptions.RequestTimeout"/>;
    /// cancellation stops the generation loop.
    /// </summary>
    Task<ModelCompletion> CompleteAsync(ModelRequest request, CancellationToken cancellationToken);
}

/// <summary>One generation request.</summary>
public sealed record ModelRequest
{
    /// <summary>System instructions; requests with the same system text share its KV cache.</summary>
    public required string System { get; init; }

    /// <summary>The user turn (the task and the document text).</summary>
    public required string User { get; init; }

    /// <summary>GBNF grammar the output must follow (root rule <c>root</c>), or null for free text.</summary>
    public string? Grammar { get; init; }

    /// <summary>Most tokens to generate; <see cref="ModelOptions.MaxOutputTokens"/> when null.</summary>
    public int? MaxTokens { get; init; }
}

/// <summary>A generated answer.</summary>
/// <param name="Text">The generated text.</param>
/// <param name="PromptTokens">Tokens of the prompt.</param>
/// <param name="CompletionTokens">Tokens generated.</param>
/// <param name="FinishReason"><c>stop</c> (end of generation or grammar complete) or <c>length</c> (token limit).</param>
/// <param name="Duration">Wall time from queueing to the last token.</param>
public sealed record ModelCompletion(string Text, int PromptTokens, int CompletionTokens, string FinishReason, TimeSpan Duration);

/// <summary>What is loaded: the file, its hash, its context, or why no model is available.</summary>
public sealed record ModelStatus
{
    /// <summary>True when the model is loaded and answering.</summary>
    public bool IsAvailable { get; init; }

    /// <summary><c>not-configured</c>, <c>loading</c>, <c>ready</c> or <c>failed</c>.</summary>
    public required string State { get; init; }

    /// <summary>Why the model is not available (a hint on how to add one, or the load error).</summary>
    public string? Reason { get; init; }

    /// <summary>Full path of the GGUF file.</summary>
    public string? Path { get; init; }

    /// <summary>
    /// <see cref="Reason"/> as documents' failure messages show it: the model file by its name, without the server's
    /// folders (the full reason stays for the health check and the log).
    /// </summary>
    public string? UserReason =>
        Reason is { } reason && Path is { Length: > 0 } path
            ? Pipeline.ServerPaths.Replace(reason, path, System.IO.Path.GetFileName(path))
            : Reason;

    /// <summary>Lowercase hex SHA-256 of the GGUF file (recorded on every model output).</summary>
    public string? Sha256 { get; init; }

    /// <summary>Model name from the GGUF metadata (<c>general.name</c>) or the file name.</summary>
    public string? Name { get; init; }

    /// <summary>Context size in use.</summary>
    public int ContextSize { get; init; }

    /// <summary>True when the GGUF carries a chat template.</summary>
    public bool HasChatTemplate { get; init; }
}
