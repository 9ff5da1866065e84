using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace CaseSystem.Cases.Auth.Members;

/// <summary>
/// Argon2id password hashes in the PHC string format. Parameters: OWASP's first recommendation
/// (Password Storage Cheat Sheet, 2024: m = 19 MiB, t = 2, p = 1), about 60 ms on this machine's
/// cores; a stored hash keeps its own parameters, so raising them later leaves old hashes valid.
/// </summary>
public static class PasswordHasher
{
    private const int MemoryKiB = 19 * 1024;
    private const int Iterations = 2;
    private const int Parallelism = 1;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Long enough that a guessed password is not the weak point; at most 128 so a hash request stays cheap to refuse.</summary>
    public const int MinLength = 12;
    public const int MaxLength = 128;

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, MemoryKiB, Iterations, Parallelism, HashBytes);
        return string.Create(CultureInfo.InvariantCulture,
            $"$argon2id$v=19$m={MemoryKiB},t={Iterations},p={Parallelism}${B64(salt)}${B64(hash)}");
    }

    /// <summary>Whether the password is the one hashed; false for a hash this class cannot read.</summary>
    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts is not ["", "argon2id", "v=19", var parameters, var salt, var hash]) return false;
        var values = parameters.Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
        var expected = Convert.FromBase64String(Pad(hash));
        var actual = Derive(password, Convert.FromBase64String(Pad(salt)), values["m"], values["t"], values["p"], expected.Length);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    /// <summary>A password to hand over once (a new member, a reset): 16 characters without look-alikes (0/O, 1/l/I).</summary>
    public static string Temporary()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return string.Create(16, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }

    private static byte[] Derive(string password, byte[] salt, int memoryKiB, int iterations, int parallelism, int length)
    {
        using var argon = new Argon2id(Encoding.UTF8.GetBytes(password))
        {
            Salt = salt,
            MemorySize = memoryKiB,
            Iterations = iterations,
            DegreeOfParallelism = parallelism,
        };
        return argon.GetBytes(length);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static string Pad(string b64) => b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
}
