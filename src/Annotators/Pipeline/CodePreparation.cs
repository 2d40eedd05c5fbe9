using System.Reflection;
using System.Runtime.CompilerServices;

namespace Annotate.Annotators.Pipeline;

/// <summary>
/// Compiles methods ahead of their first call (<see cref="RuntimeHelpers.PrepareMethod(RuntimeMethodHandle)"/>), so the
/// first document that runs them does not wait for the JIT. A warm-up's documents run the hot paths (which are then
/// compiled optimised); what they do not run, such as the parsers of font programs embedded in a PDF, would otherwise be
/// compiled in the middle of a user's first document (issue 12: a first read of the corpus after the warm-up 0.11–0.15 s
/// without, 0.07 s with the PDF library's 5,800 methods compiled ahead, which takes 0.2 s and about 6 MiB).
/// </summary>
public static class CodePreparation
{
    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic
        | BindingFlags.Instance | BindingFlags.Static;

    /// <summary>
    /// The assemblies of <paramref name="roots"/> and those they reference, transitively, whose names start with
    /// <paramref name="prefix"/> (a library shipped as several assemblies), each once, loaded if not yet.
    /// </summary>
    public static IReadOnlyList<Assembly> LibraryAssemblies(string prefix, params Assembly[] roots)
    {
        var found = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>(roots);
        while (pending.TryPop(out var assembly))
        {
            if (!found.TryAdd(assembly.GetName().Name ?? "", assembly))
            {
                continue;
            }
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name is { } name && name.StartsWith(prefix, StringComparison.Ordinal) && !found.ContainsKey(name))
                {
                    pending.Push(Assembly.Load(reference));
                }
            }
        }
        return [.. found.Values];
    }

    /// <summary>
    /// Compiles every method and constructor with a body that the types of <paramref name="assemblies"/> declare, but
    /// those of generic types and generic methods (which need type arguments to compile); returns how many it compiled.
    /// One that cannot be (the runtime refuses it) is skipped. Stops between types when <paramref name="cancellationToken"/> is.
    /// </summary>
    public static int Prepare(IEnumerable<Assembly> assemblies, CancellationToken cancellationToken = default) =>
        Prepare(assemblies.SelectMany(LoadableTypes), cancellationToken);

    /// <inheritdoc cref="Prepare(IEnumerable{Assembly}, CancellationToken)"/>
    public static int Prepare(IEnumerable<Type> types, CancellationToken cancellationToken = default)
    {
        var prepared = 0;
        foreach (var type in types)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (type.ContainsGenericParameters)
            {
                continue;
            }
            foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
            {
                if (!method.IsAbstract && !method.ContainsGenericParameters && HasBody(method) && TryPrepare(method))
                {
                    prepared++;
                }
            }
        }
        return prepared;
    }

    private static bool HasBody(MethodBase method) =>
        (method.MethodImplementationFlags & (MethodImplAttributes.InternalCall | MethodImplAttributes.Runtime)) == 0
        && (method.Attributes & MethodAttributes.PinvokeImpl) == 0;

    private static bool TryPrepare(MethodBase method)
    {
        try
        {
            RuntimeHelpers.PrepareMethod(method.MethodHandle);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever the runtime refuses to compile ahead (a method it cannot load, a dependency missing) is compiled,
            // or refused, at its first call as before: one method never stops the others.
            return false;
        }
    }

    /// <summary>The types of <paramref name="assembly"/> that load (one whose dependency is missing is left out).</summary>
    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }
}
