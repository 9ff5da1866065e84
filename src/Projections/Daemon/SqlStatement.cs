using System.Data.Common;
using Marten.Internal.Operations;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Core;
using Weasel.Storage;

namespace CaseSystem.Projections.Daemon;

/// <summary>
/// One SQL statement queued into the daemon's batch, with explicitly typed parameters ($1… written
/// as '?'): the batch commits with the projection's progress, so a read model is never ahead of or
/// behind what the daemon records as applied. Marten's own <c>QueueSqlCommand</c> infers parameter
/// types, which does not cover arrays of nullable values that our set-based upserts send.
/// </summary>
public sealed class SqlStatement(string sql, params (object? Value, NpgsqlDbType Type)[] parameters) : Marten.Internal.Operations.IStorageOperation, NoDataReturnedCall
{
    // Marten makes sure a document type's table exists before an operation on it; StorageFeatures is
    // the type its own SQL operations name to say "no document" (our tables are made at start-up).
    public Type DocumentType => typeof(Marten.Storage.StorageFeatures);

    public void ConfigureCommand(Weasel.Postgresql.ICommandBuilder builder, IStorageSession session)
    {
        var placeholders = builder.AppendWithParameters(sql);
        if (placeholders.Length != parameters.Length)
        {
            throw new InvalidOperationException($"'{sql}' has {placeholders.Length} parameters, {parameters.Length} given");
        }
        for (var i = 0; i < placeholders.Length; i++)
        {
            placeholders[i].NpgsqlDbType = parameters[i].Type;
            placeholders[i].Value = parameters[i].Value ?? DBNull.Value;
        }
    }

    public Task PostprocessAsync(DbDataReader reader, IList<Exception> exceptions, CancellationToken token) => Task.CompletedTask;

    public OperationRole Role() => OperationRole.Other;

    /// <summary>An array parameter of one column's values.</summary>
    public static (object? Value, NpgsqlDbType Type) Column<T>(IEnumerable<T> values, NpgsqlDbType type) =>
        (values.ToArray(), NpgsqlDbType.Array | type);
}
