using CaseSystem.Cases;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddCases(builder.Configuration);

var app = builder.Build();
app.UseExceptionHandler();
app.MapCases();
app.Run();
