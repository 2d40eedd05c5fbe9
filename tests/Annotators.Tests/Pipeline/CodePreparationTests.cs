using System.Runtime.CompilerServices;
using Annotate.Annotators.Pipeline;

namespace Annotate.Annotators.Tests.Pipeline;

public class CodePreparationTests
{
    /// <summary>Methods no other test calls; not inlined, so a call compiles them unless they were compiled ahead.</summary>
    private sealed class NeverCalled
    {
        private readonly int _seed;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public NeverCalled(int seed) => _seed = seed;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public int Twice() => _seed * 2;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public int Plus(int other) => _seed + other;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int Square(int value) => value * value;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int Generic<T>(T value) => value?.GetHashCode() ?? 0;
    }

    private abstract class Abstract
    {
        public abstract int Value();
    }

    private sealed class Generic<T>
    {
        public int Count(IEnumerable<T> values) => values.Count();
    }

    private delegate int Callback(int value);

    [Fact]
    public void A_method_compiled_ahead_is_not_compiled_again_at_its_first_call()
    {
        var prepared = CodePreparation.Prepare([typeof(NeverCalled)]);
        // Compiled before the count is read: the count itself, and what the calls below need besides the methods.
        _ = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true);
        var before = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true);

        var instance = new NeverCalled(3);
        var sum = instance.Twice() + instance.Plus(4) + NeverCalled.Square(5);

        var after = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true);
        Assert.Equal(6 + 7 + 25, sum);
        // The constructor and three methods; the generic method needs a type argument and is left to its first call.
        Assert.Equal(4, prepared);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Abstract_generic_and_runtime_methods_are_left_out()
    {
        // The abstract class's constructor only; nothing of the open generic class; a delegate's methods are the runtime's.
        Assert.Equal(1, CodePreparation.Prepare([typeof(Abstract), typeof(Generic<>), typeof(Callback)]));
        // A closed generic type compiles: its type arguments are known.
        Assert.Equal(2, CodePreparation.Prepare([typeof(Generic<string>)]));
    }

    [Fact]
    public void A_library_is_its_assembly_and_those_of_its_own_it_references_each_once()
    {
        var assemblies = CodePreparation.LibraryAssemblies("UglyToad.PdfPig", typeof(UglyToad.PdfPig.PdfDocument).Assembly,
            typeof(UglyToad.PdfPig.PdfDocument).Assembly);

        Assert.Equal(
            ["UglyToad.PdfPig", "UglyToad.PdfPig.Core", "UglyToad.PdfPig.Fonts", "UglyToad.PdfPig.Tokenization", "UglyToad.PdfPig.Tokens"],
            assemblies.Select(a => a.GetName().Name!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Preparing_stops_when_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => CodePreparation.Prepare([typeof(NeverCalled)], cancelled.Token));
    }
}
