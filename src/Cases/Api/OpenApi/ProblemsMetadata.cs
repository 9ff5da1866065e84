using Microsoft.AspNetCore.Builder;

namespace CaseSystem.Cases.Api.OpenApi;

/// <summary>
/// The problems an endpoint answers beyond those every /api endpoint can (its own refusals: a
/// staff id taken, no one waiting, anchoring busy…), for the OpenAPI document to list under their
/// statuses (issue 15: "every problem response").
/// </summary>
public sealed record ProblemsMetadata(IReadOnlyList<Problems.Kind> Kinds);

public static class ProblemsMetadataExtensions
{
    /// <summary>Declares the problems this endpoint answers of its own.</summary>
    public static TBuilder Refuses<TBuilder>(this TBuilder builder, params Problems.Kind[] kinds) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProblemsMetadata(kinds));
}
