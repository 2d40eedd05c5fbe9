using System.Runtime.InteropServices;
using Annotate.Annotators.Embeddings;

namespace Annotate.Annotators.Tests.Embeddings;

public class OnnxRuntimeTelemetryTests
{
    [Fact]
    public void The_opt_out_is_where_native_code_reads_the_environment_and_where_child_processes_inherit_it()
    {
        OnnxRuntimeTelemetry.Disable();

        // ONNX Runtime reads it with getenv: .NET's own SetEnvironmentVariable would not reach it on Linux.
        Assert.Equal("1", Marshal.PtrToStringAnsi(getenv(OnnxRuntimeTelemetry.Variable)));
        Assert.Equal("1", Environment.GetEnvironmentVariable(OnnxRuntimeTelemetry.Variable));
    }

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern nint getenv(string name);
}
