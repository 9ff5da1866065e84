using CaseSystem.Cases;
using CaseSystem.Cases.Telemetry;
using CaseSystem.Projections;
using CaseSystem.Server;
using CaseSystem.Server.Pages;
using JasperFx;

if (OpsCommands.Run(args) is { } command) return await command;

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
