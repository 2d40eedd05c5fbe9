using System.Threading.Channels;

namespace Annotate.Gateway.Inbox;

/// <summary>
/// Asks the <see cref="InboxWatcher"/> for a scan now, between its polls: the watcher waits on these alongside its timer,
/// so a scan requested here is the watcher's own (one claim logic, one record of what it has seen).
/// </summary>
public sealed class InboxScanRequests
{
    private readonly Channel<TaskCompletionSource> _requests = Channel.CreateUnbounded<TaskCompletionSource>();

    /// <summary>Requests a scan; completes when a scan that started after this call has finished.</summary>
    public Task RequestAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Writer.TryWrite(done);
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Completes when a request is waiting.</summary>
    internal Task<bool> WaitAsync(CancellationToken cancellationToken) => _requests.Reader.WaitToReadAsync(cancellationToken).AsTask();

    /// <summary>Takes the requests waiting now: the scan about to start serves them all.</summary>
    internal List<TaskCompletionSource> TakeAll()
    {
        var taken = new List<TaskCompletionSource>();
        while (_requests.Reader.TryRead(out var request))
        {
            taken.Add(request);
        }
        return taken;
    }
}
