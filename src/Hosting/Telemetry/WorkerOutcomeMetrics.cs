using Annotate.Messages;
using MassTransit;

namespace Annotate.Hosting.Telemetry;

/// <summary>
/// Records a standalone worker's <c>annotate_worker_*</c> instruments from the outcomes it publishes, so the consumer
/// itself carries no metrics code. An outcome published again (a command handed over again after the gateway lost the
/// first event) is counted again: these count what the worker sent; the gateway's counters count documents.
/// </summary>
internal sealed class WorkerOutcomeMetrics(AnnotateMetrics metrics) : IPublishObserver
{
    public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

    public Task PostPublish<T>(PublishContext<T> context) where T : class
    {
        switch (context.Message)
        {
            case DocumentAnnotated annotated:
                metrics.WorkerAnnotated(annotated);
                break;
            case DocumentAnnotationFailed failed:
                metrics.WorkerFailed(failed);
                break;
        }
        return Task.CompletedTask;
    }

    public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
