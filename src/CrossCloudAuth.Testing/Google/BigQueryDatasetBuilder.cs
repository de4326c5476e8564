namespace CrossCloudAuth.Testing.Google;

/// <summary>A BigQuery dataset: tables with rows, and who may query them.</summary>
public sealed class BigQueryDatasetBuilder
{
    private readonly Dictionary<string, Table> _tables = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _viewers = new(StringComparer.Ordinal);

    internal BigQueryDatasetBuilder(string projectId, string datasetId)
    {
        ProjectId = projectId;
        DatasetId = datasetId;
    }

    /// <summary>Gets the project id.</summary>
    public string ProjectId { get; }

    /// <summary>Gets the dataset id.</summary>
    public string DatasetId { get; }

    internal IReadOnlyDictionary<string, Table> Tables => _tables;

    internal IReadOnlySet<string> Viewers => _viewers;

    /// <summary>Adds a table. Column types are inferred from the first row: integers → <c>INTEGER</c>, floating point → <c>FLOAT</c>, <see cref="bool"/> → <c>BOOLEAN</c>, <see cref="DateTimeOffset"/> → <c>TIMESTAMP</c>, anything else → <c>STRING</c>.</summary>
    /// <param name="tableId">The table id.</param>
    /// <param name="columns">The column names.</param>
    /// <param name="rows">The rows, one value per column.</param>
    /// <returns>This builder.</returns>
    public BigQueryDatasetBuilder AddTable(string tableId, string[] columns, params object?[][] rows)
    {
        ArgumentException.ThrowIfNullOrEmpty(tableId);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        foreach (object?[] row in rows)
        {
            if (row.Length != columns.Length)
            {
                throw new ArgumentException($"Every row of {tableId} has {columns.Length} values.", nameof(rows));
            }
        }

        string[] types = [.. columns.Select((_, i) => rows.Length == 0 ? "STRING" : TypeOf(rows[0][i]))];
        _tables[tableId] = new Table(tableId, columns, types, rows);
        return this;
    }

    /// <summary>Grants <c>roles/bigquery.dataViewer</c> on the dataset (and the right to run query jobs) to <paramref name="member"/>.</summary>
    /// <param name="member">The IAM member.</param>
    /// <returns>This builder.</returns>
    public BigQueryDatasetBuilder GrantDataViewer(string member)
    {
        ArgumentException.ThrowIfNullOrEmpty(member);
        _viewers.Add(member);
        return this;
    }

    private static string TypeOf(object? value) => value switch
    {
        int or long or short or byte => "INTEGER",
        double or float or decimal => "FLOAT",
        bool => "BOOLEAN",
        DateTimeOffset or DateTime => "TIMESTAMP",
        _ => "STRING",
    };

    internal sealed record Table(string Id, string[] Columns, string[] Types, object?[][] Rows);
}
