namespace CaseSystem.Benchmarks.Sample;

/// <summary>
/// SplitMix64: small, fast, and the same numbers on every runtime and machine (the sequence of a
/// seeded <see cref="System.Random"/> is not a documented contract). Every case draws from a
/// source of its own, keyed by the sample's seed and the case's place in the sample, so a case
/// does not change when another one does.
/// </summary>
internal sealed class SampleRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>A seed from several numbers (the sample seed, a purpose, an index...).</summary>
    public static ulong Key(params ReadOnlySpan<long> parts)
    {
        var h = 0x243F6A8885A308D3UL;
        foreach (var part in parts) h = Mix(h ^ (ulong)part);
        return h;
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextU64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        var z = _state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextU64() >> 11) * (1.0 / 9007199254740992.0);

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive) => maxExclusive <= 1 ? 0 : (int)(NextDouble() * maxExclusive);

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="maxInclusive"/>].</summary>
    public int Between(int min, int maxInclusive) => min + Next(maxInclusive - min + 1);

    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public T Weighted<T>(IReadOnlyList<(T Item, double Weight)> items)
    {
        var total = 0.0;
        foreach (var (_, w) in items) total += w;
        var x = NextDouble() * total;
        foreach (var (item, w) in items)
        {
            if (x < w) return item;
            x -= w;
        }
        return items[^1].Item;
    }

    /// <summary>Exponentially distributed with the given mean.</summary>
    public double Exponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    public TimeSpan Seconds(int min, int maxInclusive) => TimeSpan.FromSeconds(Between(min, maxInclusive));

    public TimeSpan Minutes(int min, int maxInclusive) => TimeSpan.FromMinutes(Between(min, maxInclusive));

    /// <summary>Whole milliseconds in [0, <paramref name="maxInclusive"/>].</summary>
    public TimeSpan Millis(int maxInclusive) => TimeSpan.FromMilliseconds(Between(0, maxInclusive));

    /// <summary>
    /// A version 7 UUID for the moment <paramref name="at"/> (48 bits of Unix milliseconds, then
    /// random bits), as <see cref="Guid.CreateVersion7(DateTimeOffset)"/> makes them, but from this source.
    /// </summary>
    public Guid Version7(DateTimeOffset at)
    {
        Span<byte> b = stackalloc byte[16];
        var ms = (ulong)at.ToUnixTimeMilliseconds();
        for (var i = 0; i < 6; i++) b[i] = (byte)(ms >> (8 * (5 - i)));
        var r1 = NextU64();
        var r2 = NextU64();
        for (var i = 6; i < 16; i++) b[i] = (byte)((i < 14 ? r1 : r2) >> (8 * (i % 8)));
        b[6] = (byte)(0x70 | (b[6] & 0x0F));
        b[8] = (byte)(0x80 | (b[8] & 0x3F));
        return new Guid(b, bigEndian: true);
    }
}
