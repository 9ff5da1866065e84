using CaseSystem.Cases.Auth;

namespace CaseSystem.Cases.Tests.Auth;

public sealed class StaffTokenKeyTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_key_is_created_with_32_bytes_owner_only_and_reused()
    {
        var path = _folder.File("config", "casesystem", "token.key");

        var first = StaffTokenKey.LoadOrCreate(path);

        Assert.Equal(32, first.Length);
        Assert.Equal(first, File.ReadAllBytes(path));
        Assert.NotEqual(new byte[32], first);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
                File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        }

        var second = StaffTokenKey.LoadOrCreate(path);

        Assert.Equal(first, second);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Two_key_files_get_two_different_keys()
    {
        Assert.NotEqual(StaffTokenKey.LoadOrCreate(_folder.File("a.key")), StaffTokenKey.LoadOrCreate(_folder.File("b.key")));
    }

    [Fact]
    public async Task Processes_starting_at_once_agree_on_one_key()
    {
        var path = _folder.File("race", "token.key");

        var keys = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => StaffTokenKey.LoadOrCreate(path))));

        Assert.All(keys, k => Assert.Equal(File.ReadAllBytes(path), k));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(64)]
    public void A_key_file_of_the_wrong_length_is_a_clear_error(int length)
    {
        var path = _folder.File("token.key");
        File.WriteAllBytes(path, new byte[length]);

        var error = Assert.Throws<InvalidOperationException>(() => StaffTokenKey.LoadOrCreate(path));

        Assert.Contains(path, error.Message);
        Assert.Contains($"has {length} bytes", error.Message);
        Assert.Contains("exactly 32 bytes", error.Message);
        Assert.Equal(length, new FileInfo(path).Length);
    }
}

/// <summary>Changes process environment variables, so it runs alone.</summary>
[CollectionDefinition(nameof(EnvironmentChanging), DisableParallelization = true)]
public sealed class EnvironmentChanging;

[Collection(nameof(EnvironmentChanging))]
public sealed class StaffTokenKeyDefaultPathTests : IDisposable
{
    private readonly string? _keyFile = Environment.GetEnvironmentVariable("CASES_TOKEN_KEY_FILE");
    private readonly string? _xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("CASES_TOKEN_KEY_FILE", _keyFile);
        Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", _xdg);
    }

    [Fact]
    public void CASES_TOKEN_KEY_FILE_comes_first_then_XDG_CONFIG_HOME_then_the_home_folder()
    {
        Environment.SetEnvironmentVariable("CASES_TOKEN_KEY_FILE", "/srv/keys/cases.key");
        Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", "/etc/xdg-test");
        Assert.Equal("/srv/keys/cases.key", StaffTokenKey.DefaultPath);

        Environment.SetEnvironmentVariable("CASES_TOKEN_KEY_FILE", null);
        Assert.Equal(Path.Combine("/etc/xdg-test", "casesystem", "token.key"), StaffTokenKey.DefaultPath);

        Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", "relative/is/ignored");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.Equal(Path.Combine(home, ".config", "casesystem", "token.key"), StaffTokenKey.DefaultPath);

        Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", null);
        Assert.Equal(Path.Combine(home, ".config", "casesystem", "token.key"), StaffTokenKey.DefaultPath);
    }
}
