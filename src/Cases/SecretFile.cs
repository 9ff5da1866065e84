namespace CaseSystem.Cases;

/// <summary>
/// Files that hold a secret (the staff token key, the anchor signing key): made once, whole,
/// readable by their owner only (mode 600 in a folder of mode 700).
/// </summary>
internal static class SecretFile
{
    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> unless a file is there already
    /// (then false: the caller reads that one). Written whole under a temporary name, flushed to
    /// disk, then linked into place without overwriting: two processes starting at once agree on
    /// one secret, and no one ever reads half of one.
    /// </summary>
    public static bool CreateOnce(string path, ReadOnlySpan<byte> content)
    {
        var folder = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using (var file = new FileStream(temporary, options))
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows())
            {
                // Exactly 600, whatever the process's umask made of the mode it was created with.
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            return PlaceWithoutOverwriting(temporary, path);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// Puts the file at <paramref name="path"/> unless one is there already, atomically; false when
    /// one was. On Unix File.Move(overwrite: false) checks and then renames, and a rename replaces:
    /// two processes could each believe their key won (seen as 1 of 16 concurrent starts holding a
    /// key the file no longer has). link(2) fails with EEXIST instead.
    /// </summary>
    private static bool PlaceWithoutOverwriting(string temporary, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(temporary, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
        }
        if (Link(temporary, path) == 0) return true;
        var error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        const int EEXIST = 17;
        if (error == EEXIST) return false;
        throw new IOException($"could not create {path} (errno {error})");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link(string existing, string created);
}
