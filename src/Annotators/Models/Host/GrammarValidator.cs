using System.Runtime.InteropServices;
using LLama;

namespace Annotate.Annotators.Models.Host;

/// <summary>
/// Checks a GBNF grammar with llama.cpp's own parser before it reaches the decode loop. LLamaSharp adds the grammar
/// sampler to a chain without checking it, and a grammar llama.cpp cannot parse would then crash the process.
/// </summary>
internal static partial class GrammarValidator
{
    /// <summary>Null when llama.cpp accepts the grammar; otherwise why not. Null too when the check cannot run.</summary>
    public static string? Check(LLamaWeights weights, string gbnf, string root)
    {
        try
        {
            var vocab = NativeMethods.llama_model_get_vocab(weights.NativeHandle);
            var sampler = NativeMethods.llama_sampler_init_grammar(vocab, Utf8z(gbnf), Utf8z(root));
            if (sampler == IntPtr.Zero)
            {
                return $"llama.cpp cannot parse the grammar (root rule '{root}')";
            }
            NativeMethods.llama_sampler_free(sampler);
            return null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // The native library is loaded by LLamaSharp under a name this assembly may not resolve; without the
            // check the grammar still works, only an invalid one is not caught early.
            return null;
        }
    }

    /// <summary>UTF-8 with the terminating zero C expects.</summary>
    private static byte[] Utf8z(string text)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(text) + 1];
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    private static class NativeMethods
    {
        [DllImport("llama", CallingConvention = CallingConvention.Cdecl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern IntPtr llama_model_get_vocab(LLama.Native.SafeLlamaModelHandle model);

        [DllImport("llama", CallingConvention = CallingConvention.Cdecl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern IntPtr llama_sampler_init_grammar(IntPtr vocab, byte[] grammar, byte[] root);

        [DllImport("llama", CallingConvention = CallingConvention.Cdecl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern void llama_sampler_free(IntPtr sampler);
    }
}
