// The counter terminal: reads the My Number Card through PC/SC and records what it saw in the case.
// Built in its own issue; until then it only says so.
Console.Error.WriteLine("cardstation: not built yet (CardStation issue). / カード読取端末は未実装です。");
return 2;
