using Annotate.Annotators.Models;
using Annotate.Annotators.Pipeline;
using Annotate.Worker.Isolation;
using Annotate.Worker.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Annotate.Worker.Tests.Isolation;

public sealed class IsolationCompositionTests
{
    private static IServiceCollection WorkerServices(string? enabled)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (enabled is not null)
        {
            builder.Configuration["Annotate:Worker:Isolation:Enabled"] = enabled;
        }
        builder.AddAnnotateWorker();
        return builder.Services;
    }

    [Fact]
    public void With_isolation_on_the_worker_process_has_no_model_no_pipeline_and_forwards_documents_to_a_child()
    {
        var services = WorkerServices(enabled: null);

        Assert.Contains(services, d => d.ServiceType == typeof(IDocumentRunner) && d.ImplementationType == typeof(IsolatedDocumentRunner));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IDocumentRunner) && d.ImplementationType == typeof(InProcessDocumentRunner));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(ILanguageModel));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IDocumentPipeline));
        Assert.Contains(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(PipelineChildren));
    }

    [Fact]
    public void With_isolation_off_documents_run_in_the_worker_process_as_before()
    {
        var services = WorkerServices(enabled: "false");

        Assert.Contains(services, d => d.ServiceType == typeof(IDocumentRunner) && d.ImplementationType == typeof(InProcessDocumentRunner));
        Assert.Contains(services, d => d.ServiceType == typeof(ILanguageModel));
        Assert.Contains(services, d => d.ServiceType == typeof(IDocumentPipeline));
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(PipelineSupervisor));
    }
}
