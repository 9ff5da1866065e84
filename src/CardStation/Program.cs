// The counter terminal: reads the My Number Card through PC/SC and records what it saw in the case.
using CaseSystem.CardStation.Card;
using CaseSystem.CardStation.Commands;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
Console.OutputEncoding = System.Text.Encoding.UTF8;
return await StationCommands.RunAsync(args, StationIo.System(cancel.Token), CardTerminals.Create);
