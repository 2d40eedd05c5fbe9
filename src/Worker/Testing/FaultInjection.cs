using System.Runtime.CompilerServices;
using System.Text;
using Annotate.Worker.Isolation;
using Microsoft.Extensions.Options;

namespace Annotate.Worker.Testing;

/// <summary>
/// Lets a document fail the process annotating it the way a native fault in a parser or llama.cpp would, when fault
/// injection is on and the document's bytes start with one of the markers: end the process at once (no <c>finally</c>,
/// no flush), abort natively, overflow the stack, allocate without bound, or hang ignoring cancellation. Lets tests prove
/// that recovery from real crashes works. Does nothing when <see cref="FaultInjectionOptions.Enabled"/> is off.
/// With isolation on, this runs in the pipeline child, so the markers take down the child, not the worker.
/// </summary>
public sealed class FaultInjection(IOptions<FaultInjectionOptions> options)
{
    /// <summary>The first bytes of a document that ends the process at once (<see cref="Environment.FailFast(string)"/>).</summary>
    public const string CrashMarker = "%annotate-fault:crash";

    /// <summary>The first bytes of a document that makes the process call libc <c>abort()</c> (what llama.cpp does on an assertion).</summary>
    public const string AbortMarker = "%annotate-fault:abort";

    /// <summary>The first bytes of a document that makes the process recurse until its stack overflows (a parser on a deeply nested file).</summary>
    public const string StackOverflowMarker = "%annotate-fault:stack-overflow";

    /// <summary>The first bytes of a document that makes the process allocate memory without bound.</summary>
    public const string AllocateMarker = "%annotate-fault:allocate";

    /// <summary>The first bytes of a document that blocks its thread forever, ignoring cancellation (a parser in an endless loop).</summary>
    public const string HangMarker = "%annotate-fault:hang";

    private const int HeadLength = 64;

    /// <summary>Called before a document is worked on.</summary>
    public void BeforeWork(string path)
    {
        if (!options.Value.Enabled || !File.Exists(path))
        {
            return;
        }
        var head = new byte[HeadLength];
        int read;
        using (var stream = File.OpenRead(path))
        {
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        var text = Encoding.ASCII.GetString(head, 0, read);
        var name = Path.GetFileName(path);
        if (text.StartsWith(CrashMarker, StringComparison.Ordinal))
        {
            Environment.FailFast($"Fault injection: '{name}' carries the crash marker.");
        }
        else if (text.StartsWith(AbortMarker, StringComparison.Ordinal))
        {
            NativeMethods.abort();
        }
        else if (text.StartsWith(StackOverflowMarker, StringComparison.Ordinal))
        {
            _ = Recurse(0);
        }
        else if (text.StartsWith(AllocateMarker, StringComparison.Ordinal))
        {
            AllocateForever();
        }
        else if (text.StartsWith(HangMarker, StringComparison.Ordinal))
        {
            Thread.Sleep(Timeout.Infinite);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Recurse(long depth)
    {
        // The frame holds a buffer and the result is used after the call, so the call cannot become a loop.
        Span<byte> frame = stackalloc byte[256];
        frame[(int)(depth % 256)] = (byte)depth;
        return Recurse(depth + 1) + frame[0];
    }

    private static void AllocateForever()
    {
        var kept = new List<byte[]>();
        while (true)
        {
            var block = GC.AllocateUninitializedArray<byte>(16 * 1024 * 1024);
            // Touch every page, so the memory is resident rather than only reserved.
            for (var i = 0; i < block.Length; i += 4096)
            {
                block[i] = 1;
            }
            kept.Add(block);
        }
    }
}
