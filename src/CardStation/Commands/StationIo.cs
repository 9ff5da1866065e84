using System.Collections.Concurrent;

namespace CaseSystem.CardStation.Commands;

/// <summary>
/// The console as the commands see it, so that tests run them in-process. <see cref="InputEnded"/>:
/// true once the input has no more keys (a redirected stdin at its end); null for a keyboard.
/// <see cref="Clock"/>: when observations happen (the system's, unless a test shares its server's).
/// <see cref="OutIsTerminal"/>: stdout is a terminal (the screen then redraws its status in place), not a pipe or a file.
/// </summary>
public sealed record StationIo(
    TextWriter Out,
    TextWriter Error,
    Func<ConsoleKeyInfo> ReadKey,
    Func<bool> KeyAvailable,
    Func<string?> ReadLine,
    Func<string, string?> Environment,
    CancellationToken Cancel,
    Func<bool>? InputEnded = null,
    TimeProvider? Clock = null,
    bool OutIsTerminal = false)
{
    /// <summary>The keyboard; or, when stdin is redirected (a pipe, a file, a script), its characters as keys.</summary>
    public static StationIo System(CancellationToken cancel)
    {
        if (!Console.IsInputRedirected)
        {
            return new(Console.Out, Console.Error,
                () => Console.ReadKey(intercept: true), () => Console.KeyAvailable, Console.ReadLine,
                global::System.Environment.GetEnvironmentVariable, cancel, OutIsTerminal: !Console.IsOutputRedirected);
        }
        var input = new RedirectedInput(Console.In);
        return new(Console.Out, Console.Error, input.ReadKey, input.KeyAvailable, input.ReadLine,
            global::System.Environment.GetEnvironmentVariable, cancel, () => input.Ended, OutIsTerminal: !Console.IsOutputRedirected);
    }
}

/// <summary>
/// Keys from a redirected stdin, where Console.ReadKey and Console.KeyAvailable throw: its
/// characters read one by one on a thread of their own, so that the screen can ask whether a key
/// is there without blocking. At the end of the input every key is Escape (a PIN entry is
/// cancelled) and <see cref="Ended"/> is true (the screen ends).
/// </summary>
public sealed class RedirectedInput(TextReader input)
{
    private const int End = -1;
    private readonly BlockingCollection<int> _chars = [];
    private readonly Lock _lock = new();
    private Thread? _reader;
    private bool _afterCr;

    public bool Ended { get; private set; }

    public bool KeyAvailable()
    {
        Start();
        return Ended || _chars.Count > 0;
    }

    public ConsoleKeyInfo ReadKey()
    {
        var c = Next();
        if (c == '\n' && _afterCr) c = Next();
        _afterCr = c == '\r';
        return c switch
        {
            End => new ConsoleKeyInfo('\0', ConsoleKey.Escape, false, false, false),
            '\r' or '\n' => new ConsoleKeyInfo('\r', ConsoleKey.Enter, false, false, false),
            '\b' or '\x7f' => new ConsoleKeyInfo('\b', ConsoleKey.Backspace, false, false, false),
            '\x1b' => new ConsoleKeyInfo('\x1b', ConsoleKey.Escape, false, false, false),
            >= '0' and <= '9' => new ConsoleKeyInfo((char)c, ConsoleKey.D0 + (c - '0'), false, false, false),
            >= 'a' and <= 'z' => new ConsoleKeyInfo((char)c, ConsoleKey.A + (c - 'a'), false, false, false),
            >= 'A' and <= 'Z' => new ConsoleKeyInfo((char)c, ConsoleKey.A + (c - 'A'), true, false, false),
            _ => new ConsoleKeyInfo((char)c, ConsoleKey.NoName, false, false, false),
        };
    }

    public string? ReadLine()
    {
        var line = new System.Text.StringBuilder();
        while (true)
        {
            var c = Next();
            if (c == '\n' && _afterCr && line.Length == 0)
            {
                _afterCr = false;
                continue;
            }
            _afterCr = c == '\r';
            if (c == End) return line.Length == 0 ? null : line.ToString();
            if (c is '\r' or '\n') return line.ToString();
            line.Append((char)c);
        }
    }

    private int Next()
    {
        Start();
        if (Ended) return End;
        var c = _chars.Take();
        if (c == End) Ended = true;
        return c;
    }

    private void Start()
    {
        lock (_lock)
        {
            if (_reader is not null) return;
            _reader = new Thread(() =>
            {
                try
                {
                    int c;
                    while ((c = input.Read()) >= 0) _chars.Add(c);
                }
                catch (IOException)
                {
                }
                _chars.Add(End);
            }) { IsBackground = true, Name = "stdin" };
            _reader.Start();
        }
    }
}
