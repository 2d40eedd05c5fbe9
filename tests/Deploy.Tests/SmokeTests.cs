using System.Diagnostics;
using System.Reflection;
using Annotate.Deploy.Tests.Support;
using Annotate.Integration.Tests.Support;

namespace Annotate.Deploy.Tests;

/// <summary>
/// deploy/smoke.sh: what the images run (the built gateway and two workers, with compose.yaml's environment) over
/// RabbitMQ and PostgreSQL from Debian's packages, annotating documents through the HTTP API. Skipped outside CI when
/// the servers are not installed, like the integration tests.
/// </summary>
public sealed class SmokeTests
{
    [ServicesFact(Service.RabbitMq, Service.Postgres)]
    public async Task The_configuration_the_images_carry_annotates_documents_through_a_gateway_and_two_workers()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
        start.ArgumentList.Add(Repository.File("deploy/smoke.sh"));
        start.Environment["CONFIGURATION"] = typeof(SmokeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value;
        var root = Path.Combine(Path.GetTempPath(), "annotate-smoke-" + Guid.NewGuid().ToString("N"));
        start.Environment["ANNOTATE_SMOKE_ROOT"] = root;
        try
        {
            // Generous: on a loaded two-core machine starting the servers and three .NET processes takes minutes.
            var output = await TestServices.RunAsync(start, TimeSpan.FromMinutes(15));
            Assert.Matches(@"smoke: 4 documents Completed through the gateway and two workers \([1-9][0-9]* annotated lines", output);
        }
        finally
        {
            // The script stops its servers itself; if it had to be killed (out of time) its trap did not run, so stop them here.
            if (Directory.Exists(root))
            {
                await TestServices.RunScriptAsync("rabbitmq.sh", TimeSpan.FromMinutes(2), "stop", Path.Combine(root, "rabbitmq"));
                await TestServices.RunScriptAsync("postgres.sh", TimeSpan.FromMinutes(2), "stop", Path.Combine(root, "postgres"));
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
