using Annotate.Integration.Tests.Support;
using Xunit.Abstractions;

namespace Annotate.Integration.Tests;

/// <summary>The gateways' PostgreSQL down for 20 seconds in the middle of a run: the state changes wait for it, nothing is lost.</summary>
public sealed class PostgresOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [ServicesFact(Service.RabbitMq, Service.Postgres)]
    public async Task PostgreSQL_stopped_for_20_seconds_in_the_middle_of_a_run_loses_no_document()
    {
        await using var deployment = await Deployment.StartAsync(workers: 2, postgres: true, log: output.WriteLine);
        var uploads = Enumerable.Range(1, 30).Select(i => Documents.Csv("outage", i, rows: 300)).ToList();
        var dropped = Enumerable.Range(1, 10).Select(i => Documents.Text("dropped-during-outage", i)).ToList();

        var ids = await deployment.UploadAsync(uploads);
        deployment.Log($"{ids.Length} documents uploaded");
        await deployment.Events.WaitUntilAsync(events => events.Count(e => e.Type == EventTap.Annotated) >= 5,
            TimeSpan.FromMinutes(2), "five documents annotated");
        await deployment.Postgres!.StopServerAsync();
        deployment.Log("PostgreSQL stopped");
        var unfinished = ids.Length - deployment.Events.Events.Count(e => e.Type is EventTap.Annotated or EventTap.Failed);
        // Files keep arriving in the inbox while the database is down; the workers keep annotating what they hold.
        Directory.CreateDirectory(deployment.Inbox);
        foreach (var (name, content) in dropped)
        {
            var hidden = Path.Combine(deployment.Inbox, "." + name);
            await File.WriteAllBytesAsync(hidden, content);
            File.Move(hidden, Path.Combine(deployment.Inbox, name));
        }
        // The outage is the scenario: it lasts 20 s whatever happens meanwhile.
        await Task.Delay(Outage);
        await deployment.Postgres.StartServerAsync();
        deployment.Log($"PostgreSQL started again with {unfinished} documents unfinished");

        Assert.True(unfinished > 0, "The run was over before PostgreSQL stopped");
        var names = dropped.Select(d => d.Name).ToHashSet();
        var documents = await deployment.WaitForDocumentsAsync(
            d => ids.All(id => d.TryGetValue(id, out var doc) && Deployment.IsFinal(doc))
                && names.All(n => d.Values.Any(doc => doc.GetProperty("fileName").GetString() == n && Deployment.IsFinal(doc))),
            TimeSpan.FromMinutes(3), "every uploaded and dropped document Completed or Failed");
        deployment.Log("all finished");

        var all = documents.Values.Where(d => ids.Contains(d.GetProperty("id").GetString()) || names.Contains(d.GetProperty("fileName").GetString()!)).ToList();
        Assert.Equal(ids.Length + names.Count, all.Count);
        var notCompleted = all.Where(d => Deployment.State(d) != "Completed").Select(d => $"{d.GetProperty("fileName")}: {Deployment.State(d)} {d.GetProperty("message")}").ToList();
        Assert.True(notCompleted.Count == 0, $"Not completed: {string.Join("; ", notCompleted)}");
        Assert.Empty(Directory.EnumerateFileSystemEntries(deployment.Inbox));
    }
}
