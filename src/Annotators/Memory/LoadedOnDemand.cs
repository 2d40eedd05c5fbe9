namespace Annotate.Annotators.Memory;

/// <summary>
/// A value loaded on first use and shared by every caller, which holds it through a <see cref="Lease"/>: the value can
/// be given back (<see cref="TryRelease"/>) only while nobody holds a lease, and is loaded again by the next
/// <see cref="Acquire"/>. A load that throws is not remembered: the next caller loads again.
/// </summary>
/// <typeparam name="T">What is loaded: a model, a session, a detector.</typeparam>
public sealed class LoadedOnDemand<T> where T : class
{
    private readonly Func<T> _load;
    private readonly Action<T> _unload;
    private readonly Lock _lock = new();
    private T? _value;
    private int _leases;
    private int _loads;
    private int _releases;

    /// <summary>Creates the holder; nothing is loaded until the first <see cref="Acquire"/>.</summary>
    /// <param name="load">Loads the value (called under the holder's lock: concurrent first callers wait for one load).</param>
    /// <param name="unload">Gives back what the value holds (disposes a native session, clears a cache).</param>
    public LoadedOnDemand(Func<T> load, Action<T>? unload = null)
    {
        _load = load ?? throw new ArgumentNullException(nameof(load));
        _unload = unload ?? (value => (value as IDisposable)?.Dispose());
    }

    /// <summary>True while the value is in memory.</summary>
    public bool IsLoaded => Volatile.Read(ref _value) is not null;

    /// <summary>Leases held at the moment.</summary>
    public int Leases => Volatile.Read(ref _leases);

    /// <summary>How many times the value was loaded (the first time and after each release).</summary>
    public int Loads => Volatile.Read(ref _loads);

    /// <summary>How many times the value was given back.</summary>
    public int Releases => Volatile.Read(ref _releases);

    /// <summary>The value, loaded if it is not in memory, held until the lease is disposed.</summary>
    public Lease Acquire()
    {
        lock (_lock)
        {
            if (_value is null)
            {
                var loaded = _load();
                _loads++;
                Volatile.Write(ref _value, loaded);
            }
            _leases++;
            return new Lease(this, _value);
        }
    }

    /// <summary>
    /// Gives the value back when it is loaded and nobody holds a lease; false (and nothing happens) otherwise, and also
    /// when a load or a release is in progress on another thread: a caller that releases in the background never waits
    /// for a load of several seconds.
    /// </summary>
    public bool TryRelease()
    {
        if (!_lock.TryEnter())
        {
            return false;
        }
        try
        {
            if (_value is null || _leases > 0)
            {
                return false;
            }
            var value = _value;
            Volatile.Write(ref _value, null);
            _releases++;
            _unload(value);
            return true;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Calls <paramref name="use"/> with the value when it is loaded, without loading it or taking a lease, while no
    /// release can run; default when it is not loaded or a load or release is in progress on another thread (a caller
    /// in the background never waits for them).
    /// </summary>
    public TResult? IfLoaded<TResult>(Func<T, TResult> use)
    {
        if (!_lock.TryEnter())
        {
            return default;
        }
        try
        {
            return _value is { } value ? use(value) : default;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Gives the value back whatever leases are held (for disposal of the owner, when no caller is left).</summary>
    public void ReleaseNow()
    {
        lock (_lock)
        {
            if (_value is { } value)
            {
                Volatile.Write(ref _value, null);
                _releases++;
                _unload(value);
            }
        }
    }

    private void Return()
    {
        lock (_lock)
        {
            _leases--;
        }
    }

    /// <summary>A hold on the loaded value; dispose it once the value is no longer used.</summary>
    public sealed class Lease : IDisposable
    {
        private LoadedOnDemand<T>? _owner;

        internal Lease(LoadedOnDemand<T> owner, T value)
        {
            _owner = owner;
            Value = value;
        }

        /// <summary>The loaded value, valid until the lease is disposed.</summary>
        public T Value { get; }

        /// <summary>Returns the lease (once; later calls do nothing).</summary>
        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Return();
    }
}
