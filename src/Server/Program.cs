using CaseSystem.Cases;
using CaseSystem.Cases.Auth;

if (args is ["token", ..]) return TokenCommand.Run(args[1..], Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddCases(builder.Configuration);

var app = builder.Build();
app.UseExceptionHandler();
app.MapCases();
app.Run();
return 0;
