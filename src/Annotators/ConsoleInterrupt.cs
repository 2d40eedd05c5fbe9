namespace Annotate.Annotators;

/// <summary>Ctrl+C as a cancellation for a command run before a host: the command stops cleanly instead of the process dying.</summary>
internal sealed class ConsoleInterrupt : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly ConsoleCancelEventHandler _onCancel;

    public ConsoleInterrupt()
    {
        _onCancel = (_, e) =>
        {
            e.Cancel = true;
            _cancel.Cancel();
        };
        Console.CancelKeyPress += _onCancel;
    }

    /// <summary>Cancelled when Ctrl+C is pressed.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>True once Ctrl+C was pressed.</summary>
    public bool Interrupted => _cancel.IsCancellationRequested;

    public void Dispose()
    {
        Console.CancelKeyPress -= _onCancel;
        _cancel.Dispose();
    }
}
