using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CaseSystem.CardStation.Tests.VirtualCard;

/// <summary>
/// Real X.509 certificates for the virtual card, shaped like JPKI's: a self-signed CA and leaves it
/// signs, RSA 2048 (so a certificate spans several 255-byte reads). The keys are made once per test run.
/// </summary>
public static class TestCertificates
{
    private static readonly Lazy<X509Certificate2> Ca = new(() =>
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=CaseSystem Test JPKI CA, O=CaseSystem Tests, C=JP", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2045, 1, 1, 0, 0, 0, TimeSpan.Zero));
    });

    private static readonly Lazy<RSA> HolderKey = new(() => RSA.Create(2048));

    public static byte[] CaDer => Ca.Value.RawData;

    /// <summary>A leaf signed by the test CA, with the serial number (hex) and notAfter given.</summary>
    public static byte[] Issue(string subject, string serialHex, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(subject, HolderKey.Value, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        using var certificate = request.Create(Ca.Value, notAfter.AddYears(-5), notAfter, Convert.FromHexString(serialHex));
        return certificate.RawData;
    }

    public static string NextSerial(string serialHex) =>
        (BigInteger.Parse("0" + serialHex, System.Globalization.NumberStyles.HexNumber) + 1).ToString("X").TrimStart('0').PadLeft(serialHex.Length, '0');
}
