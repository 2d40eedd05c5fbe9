using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Graphics.Colors;
using UglyToad.PdfPig.PdfFonts;
using UglyToad.PdfPig.Tokenization.Scanner;
using UglyToad.PdfPig.Tokens;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>
/// A document's resource store that loads a font once for all its font objects of the same content. PdfPig loads a
/// font per object (by its reference); a PDF merged from many (a binder of statements, invoices generated one by one and
/// joined) carries the same fonts as new objects in every part, and PdfPig parsed each again — the font program, then
/// every glyph's outline for its box: on the corpus merged into 500 pages, two fifths of the read. Before PdfPig
/// resolves a resource dictionary, each font it names that is not loaded yet is keyed by its content (the font's
/// dictionary with every object it refers to, streams as their stored bytes, hashed); a font of a key already loaded is
/// handed to PdfPig as loaded for the new reference, so PdfPig does not parse it again. A font PdfPig loads is kept
/// in a <see cref="PdfGlyphCache"/> where it can be, so its glyphs' boxes and texts are found once. Type 3 fonts (glyphs drawn by
/// content streams with resources of their own), fonts whose content is too large or too deep to key, and every font
/// after a document's keying has visited <see cref="DocumentTokens"/> tokens are loaded as PdfPig loads them. A stream
/// is hashed once per document however many fonts refer to it.
/// </summary>
/// <remarks>
/// PdfPig keeps its loaded fonts in a private dictionary of its resource store; when a version of PdfPig has none of that
/// name and type, <see cref="Wrap"/> returns the store as it is and every font is loaded per object, as before
/// (<c>PdfFontSharingTests</c> fails then, so the change is seen).
/// </remarks>
internal sealed class PdfFontSharing : IResourceStore
{
    /// <summary>Objects nested deeper than this under a font's dictionary leave the font unkeyed.</summary>
    private const int MaxDepth = 32;

    /// <summary>Tokens visited to key one font; past this (a huge or exponentially shared structure) it is not keyed.</summary>
    private const int MaxTokens = 200_000;

    /// <summary>Bytes hashed to key one font (its program and maps); past this it is not keyed.</summary>
    private const long MaxBytes = 64L << 20;

    /// <summary>
    /// Tokens visited to key all of a document's fonts: past this, later fonts are loaded per object as PdfPig loads
    /// them, so thousands of font objects that share one huge structure cannot make keying cost more than loading.
    /// </summary>
    private const long DocumentTokens = 4_000_000;

    /// <summary>Where PdfPig's resource store keeps its loaded fonts (looked up once, not for every document).</summary>
    private static readonly FieldInfo? LoadedFontsField =
        typeof(IResourceStore).Assembly.GetType("UglyToad.PdfPig.Content.ResourceStore")?.GetField("loadedFonts", BindingFlags.Instance | BindingFlags.NonPublic);

    private readonly IResourceStore _store;
    private readonly Dictionary<IndirectReference, IFont> _loaded;
    private readonly IPdfTokenScanner _scanner;
    private readonly Dictionary<string, IFont> _byContent = new(StringComparer.Ordinal);
    private readonly HashSet<IndirectReference> _keyed = [];

    // A stream's bytes are hashed once per document, however many fonts refer to it; what is hashed is what the file
    // stores, so all of it together is at most the file's size.
    private readonly Dictionary<IndirectReference, byte[]> _streamDigests = [];
    private long _tokensLeft = DocumentTokens;

    private PdfFontSharing(IResourceStore store, Dictionary<IndirectReference, IFont> loaded, IPdfTokenScanner scanner)
    {
        _store = store;
        _loaded = loaded;
        _scanner = scanner;
    }

    /// <summary>
    /// <paramref name="store"/> loading equal fonts once, or <paramref name="store"/> itself when its loaded fonts cannot
    /// be reached.
    /// </summary>
    public static IResourceStore Wrap(IResourceStore store, IPdfTokenScanner scanner) =>
        LoadedFontsField is { } field && field.DeclaringType == store.GetType()
            && field.GetValue(store) is Dictionary<IndirectReference, IFont> loaded
            ? new PdfFontSharing(store, loaded, scanner)
            : store;

    public void LoadResourceDictionary(DictionaryToken resourceDictionary)
    {
        var fonts = FontsOf(resourceDictionary);
        List<(IndirectReference Reference, string? Key)>? fresh = null;
        foreach (var value in fonts?.Data.Values ?? [])
        {
            if (value is not IndirectReferenceToken { Data: var reference } || _loaded.ContainsKey(reference) || !_keyed.Add(reference))
            {
                continue;
            }
            var key = ContentKey(reference);
            if (key is not null && _byContent.TryGetValue(key, out var font))
            {
                _loaded[reference] = font;
            }
            else
            {
                (fresh ??= []).Add((reference, key));
            }
        }
        _store.LoadResourceDictionary(resourceDictionary);
        foreach (var (reference, key) in fresh ?? [])
        {
            if (!_loaded.TryGetValue(reference, out var font))
            {
                continue;
            }
            if (PdfGlyphCache.CanHold(font))
            {
                font = new PdfGlyphCache(font);
                _loaded[reference] = font;
            }
            if (key is not null)
            {
                _byContent.TryAdd(key, font);
            }
        }
    }

    /// <summary>The resource dictionary's fonts, or null when it has none or they cannot be read (PdfPig then reports it).</summary>
    private DictionaryToken? FontsOf(DictionaryToken resourceDictionary)
    {
        try
        {
            return resourceDictionary.TryGet(NameToken.Font, out var token) ? Resolve(token) as DictionaryToken : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }

    private IToken? Resolve(IToken token) => token is IndirectReferenceToken reference ? _scanner.Get(reference.Data)?.Data : token;

    /// <summary>The font's content as a key, or null when it is a Type 3 font, cannot be read or is past the bounds.</summary>
    private string? ContentKey(IndirectReference reference)
    {
        try
        {
            if (_scanner.Get(reference)?.Data is not DictionaryToken font
                || (font.TryGet(NameToken.Subtype, out var subtype) && Resolve(subtype) is NameToken name && name.Equals(NameToken.Type3)))
            {
                return null;
            }
            if (_tokensLeft <= 0)
            {
                return null;
            }
            using var key = new ContentHasher(_scanner, _streamDigests, (int)Math.Min(MaxTokens, _tokensLeft));
            var added = key.Add(font, [reference], 0);
            _tokensLeft -= key.Tokens;
            return added ? key.Finish() : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A font whose objects PdfPig cannot read is left to PdfPig, which skips or reports it as it does without sharing.
            return null;
        }
    }

    /// <summary>Hashes tokens with their type and length, dictionaries in key order, references as what they refer to.</summary>
    private sealed class ContentHasher(IPdfTokenScanner scanner, Dictionary<IndirectReference, byte[]> streamDigests, int maxTokens)
        : IDisposable
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _bytes;

        /// <summary>Tokens visited so far.</summary>
        public int Tokens { get; private set; }

        public bool Add(IToken token, List<IndirectReference> path, int depth)
        {
            if (++Tokens > maxTokens || depth > MaxDepth)
            {
                return false;
            }
            switch (token)
            {
                case IndirectReferenceToken { Data: var reference }:
                    var onPath = path.IndexOf(reference);
                    if (onPath >= 0)
                    {
                        // A loop back to an object being keyed: where on the path it points, not its content again.
                        Tag('C', onPath);
                        return true;
                    }
                    if (scanner.Get(reference)?.Data is not { } target)
                    {
                        Tag('U', 0);
                        return true;
                    }
                    path.Add(reference);
                    var added = target is StreamToken stored ? AddStream(reference, stored, path, depth + 1) : Add(target, path, depth + 1);
                    path.RemoveAt(path.Count - 1);
                    return added;
                case DictionaryToken dictionary:
                    return AddDictionary(dictionary, path, depth);
                case StreamToken stream:
                    Tag('T', 0);
                    return AddDictionary(stream.StreamDictionary, path, depth) && AddBytes('t', stream.Data.Span);
                case ArrayToken array:
                    Tag('A', array.Data.Count);
                    foreach (var item in array.Data)
                    {
                        if (!Add(item, path, depth + 1))
                        {
                            return false;
                        }
                    }
                    return true;
                case NameToken name:
                    return AddText('N', name.Data);
                case NumericToken number:
                    Span<byte> bits = stackalloc byte[9];
                    bits[0] = (byte)'F';
                    BinaryPrimitives.WriteDoubleLittleEndian(bits[1..], number.Data);
                    _hash.AppendData(bits);
                    return true;
                case StringToken text:
                    Tag('S', (int)text.EncodedWith);
                    return AddText('s', text.Data);
                case HexToken hex:
                    return AddBytes('H', hex.Bytes);
                case BooleanToken boolean:
                    Tag('B', boolean.Data ? 1 : 0);
                    return true;
                case NullToken:
                    Tag('Z', 0);
                    return true;
                default:
                    // Nothing else belongs in a font's objects; such a font is left to PdfPig.
                    return false;
            }
        }

        public string Finish() => Convert.ToHexString(_hash.GetHashAndReset());

        /// <summary>A stream as its dictionary and the digest of its stored bytes, computed once per document.</summary>
        private bool AddStream(IndirectReference reference, StreamToken stream, List<IndirectReference> path, int depth)
        {
            Tag('T', 0);
            if (!AddDictionary(stream.StreamDictionary, path, depth))
            {
                return false;
            }
            if (!streamDigests.TryGetValue(reference, out var digest))
            {
                _bytes += stream.Data.Length;
                if (_bytes > MaxBytes)
                {
                    return false;
                }
                digest = SHA256.HashData(stream.Data.Span);
                streamDigests[reference] = digest;
            }
            return AddBytes('t', digest);
        }

        public void Dispose() => _hash.Dispose();

        private bool AddDictionary(DictionaryToken dictionary, List<IndirectReference> path, int depth)
        {
            Tag('D', dictionary.Data.Count);
            foreach (var (name, value) in dictionary.Data.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!AddText('K', name) || !Add(value, path, depth + 1))
                {
                    return false;
                }
            }
            return true;
        }

        private bool AddText(char tag, string text) => AddBytes(tag, MemoryMarshal.AsBytes(text.AsSpan()));

        private bool AddBytes(char tag, ReadOnlySpan<byte> bytes)
        {
            _bytes += bytes.Length;
            if (_bytes > MaxBytes)
            {
                return false;
            }
            Tag(tag, bytes.Length);
            _hash.AppendData(bytes);
            return true;
        }

        private void Tag(char tag, int value)
        {
            Span<byte> bytes = stackalloc byte[5];
            bytes[0] = (byte)tag;
            BinaryPrimitives.WriteInt32LittleEndian(bytes[1..], value);
            _hash.AppendData(bytes);
        }
    }

    public void UnloadResourceDictionary() => _store.UnloadResourceDictionary();

    public IFont? GetFont(NameToken name) => _store.GetFont(name);

    public bool TryGetXObject(NameToken name, [NotNullWhen(true)] out StreamToken? stream) => _store.TryGetXObject(name, out stream);

    public bool TryGetXObjectReference(NameToken name, out IndirectReference reference) => _store.TryGetXObjectReference(name, out reference);

    public DictionaryToken? GetExtendedGraphicsStateDictionary(NameToken name) => _store.GetExtendedGraphicsStateDictionary(name);

    public IFont GetFontDirectly(IndirectReferenceToken fontReferenceToken) => _store.GetFontDirectly(fontReferenceToken);

    public bool TryGetNamedColorSpace(NameToken name, out ResourceColorSpace namedColorSpace) => _store.TryGetNamedColorSpace(name, out namedColorSpace);

    public ColorSpaceDetails GetColorSpaceDetails(NameToken? name, DictionaryToken? dictionary) => _store.GetColorSpaceDetails(name, dictionary);

    public ColorSpaceDetails GetDeviceColorSpaceDetails(ColorSpace deviceColorSpace) => _store.GetDeviceColorSpaceDetails(deviceColorSpace);

    public DictionaryToken? GetMarkedContentPropertiesDictionary(NameToken name) => _store.GetMarkedContentPropertiesDictionary(name);

    public IReadOnlyDictionary<NameToken, PatternColor> GetPatterns() => _store.GetPatterns();

    public Shading GetShading(NameToken name) => _store.GetShading(name);
}
