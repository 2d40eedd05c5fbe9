using Annotate.Gateway.Inbox;
using Microsoft.Extensions.Options;
using Quartz;

namespace Annotate.Gateway.Jobs;

/// <summary>
/// Asks the inbox watcher for one scan now and waits for it: files that arrived while the gateway was down, or that a
/// long <see cref="GatewayOptions.PollInterval"/> has not reached yet, are noticed without waiting for the next poll.
/// </summary>
[DisallowConcurrentExecution]
public sealed class RescanInboxJob(InboxScanRequests requests, IOptions<GatewayOptions> gateway) : IJob
{
    public static readonly JobKey Key = new("rescan-inbox", "annotate");

    // A trigger kept in a shared schedule may reach a gateway that does not watch its inbox: nobody would serve the request.
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (gateway.Value.WatchInbox)
        {
            await requests.RequestAsync(cancellationToken);
        }
    }
}
