using System.Security.Cryptography;
using System.Text;

namespace CaseSystem.Cases.Store.HashChain;

/// <summary>
/// The key that signs the anchors: ECDSA on P-256, kept in a PEM file outside the database
/// (CASES_ANCHOR_KEY). A file holding only the public key ("PUBLIC KEY") verifies anchors but
/// cannot make them, so a host that only checks need not hold the secret.
/// </summary>
public sealed class AnchorKey : IDisposable
{
    private const string P256Oid = "1.2.840.10045.3.1.7";
    private readonly ECDsa _key;
    // ECDsa objects are not documented as safe for concurrent use.
    private readonly Lock _lock = new();

    private AnchorKey(ECDsa key, bool canSign)
    {
        _key = key;
        CanSign = canSign;
        var spki = key.ExportSubjectPublicKeyInfo();
        Id = Convert.ToHexStringLower(SHA256.HashData(spki).AsSpan(0, 8));
    }

    /// <summary>Whether this is the private key (else only anchors are verified).</summary>
    public bool CanSign { get; }

    /// <summary>Names the key in every anchor: the first 8 bytes of SHA-256 over its public key (SubjectPublicKeyInfo), in hex.</summary>
    public string Id { get; }

    /// <summary>
    /// The key in <paramref name="path"/>; if there is no such file, a new P-256 private key written
    /// there as PKCS#8 PEM (mode 600, its folder 700), as the embedded default (ops/run, the tests) wants.
    /// </summary>
    public static AnchorKey LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var pem = Encoding.ASCII.GetBytes(created.ExportPkcs8PrivateKeyPem() + "\n");
            // Another process may have made one meanwhile: then theirs is the key.
            SecretFile.CreateOnce(path, pem);
        }
        return FromPem(File.ReadAllText(path), path);
    }

    public static AnchorKey FromPem(string pem, string source)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (ArgumentException e)
        {
            key.Dispose();
            throw new InvalidOperationException($"The anchor key {source} is not an ECDSA key in PEM ({e.Message}).", e);
        }
        if (key.ExportParameters(false).Curve.Oid?.Value != P256Oid)
        {
            key.Dispose();
            throw new InvalidOperationException($"The anchor key {source} is not on the P-256 curve.");
        }
        var canSign = pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal);
        return new AnchorKey(key, canSign);
    }

    /// <summary>The signature (IEEE P1363: r and s, 64 bytes) over SHA-256 of the bytes.</summary>
    public byte[] Sign(ReadOnlySpan<byte> body)
    {
        if (!CanSign) throw new InvalidOperationException("This anchor key holds only the public key; it cannot sign.");
        lock (_lock) return _key.SignData(body, HashAlgorithmName.SHA256);
    }

    public bool Verify(ReadOnlySpan<byte> body, ReadOnlySpan<byte> signature)
    {
        lock (_lock) return _key.VerifyData(body, signature, HashAlgorithmName.SHA256);
    }

    /// <summary>The public key as PEM, to keep where anchors are checked without the private key.</summary>
    public string PublicKeyPem()
    {
        lock (_lock) return _key.ExportSubjectPublicKeyInfoPem();
    }

    public void Dispose() => _key.Dispose();
}
