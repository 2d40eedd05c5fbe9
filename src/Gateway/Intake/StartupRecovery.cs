namespace Annotate.Gateway.Intake;

/// <summary>
/// Says when <see cref="PendingDocumentsResumer"/> has finished sending again what a previous run left pending. Until
/// then those documents are the resumer's: the sweeper waits, so a document is not resumed by both.
/// </summary>
public sealed class StartupRecovery
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once start-up recovery is over (or was not wanted).</summary>
    public bool IsComplete => _done.Task.IsCompleted;

    /// <summary>Marks start-up recovery as over.</summary>
    public void Complete() => _done.TrySetResult();
}
