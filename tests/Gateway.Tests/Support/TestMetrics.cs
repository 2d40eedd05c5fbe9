using Annotate.Hosting.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics.Metrics;

namespace Annotate.Gateway.Tests.Support;

/// <summary>Annotate's instruments on a meter factory of their own, for services a test builds by hand.</summary>
public static class TestMetrics
{
    public static AnnotateMetrics Create() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
}
