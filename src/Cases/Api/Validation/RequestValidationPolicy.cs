using System.Reflection;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Microsoft.AspNetCore.Http;
using Wolverine.Http;

namespace CaseSystem.Cases.Api.Validation;

/// <summary>
/// Wolverine HTTP middleware, woven in the way Wolverine's own validation middleware is: for every
/// endpoint of this assembly that reads a JSON body, a call to the body type's
/// <see cref="CommandRequestValidation"/>.Validate goes first in the generated handler; Wolverine
/// ends the request with the <c>ProblemDetails</c> it returns unless that is
/// <c>WolverineContinue.NoProblems</c>, before the case is loaded, decided or appended to.
/// An endpoint whose body type has no validator stops the server's start (nothing unchecked
/// enters the log). After a change here or to a validator's signature, run <c>ops/codegen</c>.
/// </summary>
public sealed class RequestValidationPolicy : IHttpPolicy
{
    public const string MethodName = nameof(CommandRequestValidation.Validate);

    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.HasRequestType && c.Method.HandlerType.Assembly == typeof(RequestValidationPolicy).Assembly))
        {
            var validate = ValidatorFor(chain.RequestType!) ?? throw new InvalidOperationException(
                $"{chain.RoutePattern?.RawText}: the request body {chain.RequestType!.Name} has no {nameof(CommandRequestValidation)}.{MethodName}; " +
                "every command's body is validated before anything is appended.");
            chain.Middleware.Insert(0, new MethodCall(typeof(CommandRequestValidation), validate) { CommentText = "Validate the request body (CaseSystem's RequestValidationPolicy)" });
            chain.Metadata.ProducesProblem(StatusCodes.Status400BadRequest);
        }
    }

    /// <summary>Every request type that has a validator.</summary>
    public static IReadOnlyList<Type> RequestTypes { get; } =
        [.. typeof(CommandRequestValidation).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == MethodName).Select(m => m.GetParameters()[0].ParameterType)];

    /// <summary>The validator of a request type: <c>Validate(T body, …)</c> on <see cref="CommandRequestValidation"/>.</summary>
    public static MethodInfo? ValidatorFor(Type requestType) =>
        typeof(CommandRequestValidation).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .SingleOrDefault(m => m.Name == MethodName && m.GetParameters() is [var body, ..] && body.ParameterType == requestType);
}
