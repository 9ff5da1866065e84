using CaseSystem.Cases;
using CaseSystem.Cases.Auth;
using CaseSystem.Cases.Telemetry;
using CaseSystem.Projections;
using CaseSystem.Projections.Daemon;
using CaseSystem.Server.Pages;
using JasperFx;

if (args is ["token", ..]) return TokenCommand.Run(args[1..], Console.Out, Console.Error);
if (args is ["staff", ..]) return await CaseSystem.Cases.Auth.Members.StaffCommand.RunAsync(args[1..], Environment.GetEnvironmentVariable("CASES_DB"), Console.Out, Console.Error);
if (args is ["anchors", ..]) return await CaseSystem.Cases.Store.HashChain.AnchorsCommand.RunAsync(args[1..], Environment.GetEnvironmentVariable, Console.Out, Console.Error);
if (args is ["projections", ..]) return await ProjectionsCommand.RunAsync(args[1..], Environment.GetEnvironmentVariable("CASES_DB"), Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddCaseConsole(builder.Configuration);
builder.Services.AddCases(builder.Configuration);
builder.Services.AddProjections(builder.Configuration);
builder.Services.AddPages();

var app = builder.Build();
app.UseExceptionHandler();
app.MapCases();
app.MapProjections();
app.MapPages();
// Serves, or runs one of Marten's and Wolverine's commands (db-patch, db-apply, db-assert, codegen, …).
return await app.RunJasperFxCommands(args);
