using System.Globalization;
using Annotate.Gateway.Tests.Support;
using Annotate.Annotators.Memory;

namespace Annotate.Gateway.Tests.EndToEnd;

/// <summary>
/// Issue 12, soak: the gateway's resident size crept up over thousands of documents because glibc gave each new thread
/// that allocated native memory an arena of its own (ten after 3,000 documents), and freed blocks stay in their arena.
/// The hosts cap the arenas first thing in <c>Main</c> (<see cref="NativeHeap.LimitArenas(int)"/>): the threads started
/// after it share the arenas there are.
/// </summary>
public sealed class MallocArenaTests
{
    [Fact]
    public void The_cap_is_taken_on_glibc_and_left_to_MALLOC_ARENA_MAX_when_that_is_set()
    {
        Assert.True(OperatingSystem.IsLinux(), "Annotate's hosts run on Linux; this test reads glibc's behaviour.");
        // The environment's value is passed in, not set: other tests start processes from this one meanwhile.
        Assert.False(NativeHeap.LimitArenas(NativeHeap.HostArenas, "4"));
        Assert.Throws<ArgumentOutOfRangeException>(() => NativeHeap.LimitArenas(0, null));
        // The test host's own threads have their arenas already; a cap as large as glibc's default changes nothing here.
        Assert.True(NativeHeap.LimitArenas(8 * Environment.ProcessorCount, null));
    }

    [Fact]
    public async Task The_gateway_holds_fewer_malloc_arenas_than_glibc_would_give_its_threads()
    {
        // The same gateway started twice: as users start it, and with MALLOC_ARENA_MAX set high, which the cap steps
        // aside for, so glibc makes an arena for each thread that allocates, as it did before the cap. By the time the
        // service is ready its hosted services, the scheduler's threads and the pool have started: about fifteen arenas
        // without the cap on two cores, and only those made before Main with it.
        var capped = await ArenasOnceReadyAsync(new Dictionary<string, string>());
        var uncapped = await ArenasOnceReadyAsync(new Dictionary<string, string> { ["MALLOC_ARENA_MAX"] = "64" });

        // A margin: two starts without the cap differ by an arena or so, as threads happen to overlap.
        Assert.True(capped + 3 <= uncapped, $"arenas with the cap {capped}, without it {uncapped}");
    }

    private static async Task<int> ArenasOnceReadyAsync(Dictionary<string, string> settings)
    {
        var root = Directory.CreateTempSubdirectory("annotate-arenas-").FullName;
        try
        {
            await using var gateway = await GatewayProcess.StartAsync(root, settings);
            Assert.True(await gateway.AnswersAsync(), gateway.Output);
            return Arenas(gateway.Id);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// glibc's arenas besides the main one, in <c>/proc/PID/maps</c>: each is a heap of 64 MiB of address space, aligned
    /// to 64 MiB, mapped read-write from its start and inaccessible beyond what it uses.
    /// </summary>
    private static int Arenas(int pid)
    {
        const long HeapBytes = 64L << 20;
        var maps = File.ReadAllLines($"/proc/{pid}/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(f => (Range: f[0].Split('-'), Access: f[1], Name: f.Length > 5 ? f[5] : string.Empty))
            .Select(m => (Start: long.Parse(m.Range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                End: long.Parse(m.Range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), m.Access, m.Name))
            .OrderBy(m => m.Start)
            .ToList();
        var count = 0;
        for (var i = 0; i < maps.Count; i++)
        {
            var m = maps[i];
            if (m.Name.Length != 0 || !m.Access.StartsWith("rw", StringComparison.Ordinal) || m.Start % HeapBytes != 0)
            {
                continue;
            }
            var whole = m.End - m.Start == HeapBytes
                || (i + 1 < maps.Count && maps[i + 1] is var next && next.Start == m.End && next.Name.Length == 0
                    && next.Access.StartsWith("---", StringComparison.Ordinal) && next.End - m.Start == HeapBytes);
            count += whole ? 1 : 0;
        }
        return count;
    }
}
