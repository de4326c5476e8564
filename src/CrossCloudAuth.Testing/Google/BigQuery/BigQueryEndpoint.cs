using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CrossCloudAuth.Testing.Google.Iam;
using CrossCloudAuth.Testing.Hosting;

namespace CrossCloudAuth.Testing.Google.BigQuery;

/// <summary>
/// BigQuery <c>jobs.query</c> (<c>POST /bigquery/v2/projects/P/queries</c>) and <c>jobs.getQueryResults</c>
/// (<c>GET …/queries/JOB</c>) over a tiny SQL subset: <c>SELECT * | col, … FROM [project.]dataset.table
/// [WHERE col = value] [ORDER BY col [ASC|DESC]] [LIMIT n]</c>. Checks the bearer token, its scope and
/// <c>roles/bigquery.dataViewer</c> on the dataset.
/// </summary>
internal sealed partial class BigQueryEndpoint(IReadOnlyList<BigQueryDatasetBuilder> datasets, GoogleTokenStore tokens) : IEmulatedEndpoint
{
    private readonly ConcurrentDictionary<string, (JsonObject Result, string Caller)> _jobs = new(StringComparer.Ordinal);
    private readonly BearerAuthenticator _auth = new(tokens, legacyErrors: true,
        GoogleToken.CloudPlatformScope,
        "https://www.googleapis.com/auth/cloud-platform.read-only",
        "https://www.googleapis.com/auth/bigquery",
        "https://www.googleapis.com/auth/bigquery.readonly");

    public EmulatedService Service => EmulatedService.BigQuery;

    public ValueTask<EmulatorResponse> HandleAsync(EmulatorRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Handle(request));

    private EmulatorResponse Handle(EmulatorRequest request)
    {
        string[] segments = request.Path.Trim('/').Split('/');
        bool query = request.Method == "POST" && segments.Length == 5;
        bool results = request.Method == "GET" && segments.Length == 6;
        if (segments.Length < 5 || segments[0] != "bigquery" || segments[1] != "v2" || segments[2] != "projects" || segments[4] != "queries" || !(query || results))
        {
            return Error(HttpStatusCode.NotFound, "NOT_FOUND", "notFound", "Not found: URL");
        }

        GoogleToken? caller = _auth.Authenticate(request, out EmulatorResponse? rejection);
        if (caller is null)
        {
            return rejection!;
        }

        string project = segments[3];
        if (results)
        {
            return _jobs.TryGetValue(segments[5], out (JsonObject Result, string Caller) job) && job.Caller == caller.DisplayName
                ? EmulatorResponse.Json(SetKind((JsonObject)job.Result.DeepClone(), "bigquery#getQueryResultsResponse"))
                : Error(HttpStatusCode.NotFound, "NOT_FOUND", "notFound", $"Not found: Job {project}:{segments[5]}");
        }

        string? sql;
        try
        {
            using JsonDocument body = JsonDocument.Parse(request.Body);
            sql = body.RootElement.TryGetProperty("query", out JsonElement q) && q.ValueKind == JsonValueKind.String ? q.GetString() : null;
        }
        catch (JsonException)
        {
            return Error(HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "parseError", "Parse error: the request body is not JSON.");
        }

        if (string.IsNullOrWhiteSpace(sql))
        {
            return Error(HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "invalid", "Required parameter is missing: query");
        }

        Match match = QueryPattern().Match(sql);
        if (!match.Success)
        {
            return Error(HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "invalidQuery",
                "Syntax error: the emulator understands SELECT * | columns FROM dataset.table [WHERE column = value] [ORDER BY column [ASC|DESC]] [LIMIT n].");
        }

        string[] reference = match.Groups["table"].Value.Split('.');
        (string tableProject, string datasetId, string tableId) = reference.Length == 3 ? (reference[0], reference[1], reference[2]) : (project, reference[0], reference.Length > 1 ? reference[1] : string.Empty);
        string qualified = $"{tableProject}:{datasetId}.{tableId}";
        BigQueryDatasetBuilder? dataset = datasets.FirstOrDefault(d => d.ProjectId == tableProject && d.DatasetId == datasetId);
        if (dataset is null || !dataset.Viewers.Any(caller.IsMember))
        {
            return Error(HttpStatusCode.Forbidden, "PERMISSION_DENIED", "accessDenied",
                $"Access Denied: Table {qualified}: User does not have permission to query table {qualified}, or perhaps it does not exist.");
        }

        if (!dataset.Tables.TryGetValue(tableId, out BigQueryDatasetBuilder.Table? table))
        {
            return Error(HttpStatusCode.NotFound, "NOT_FOUND", "notFound", $"Not found: Table {qualified} was not found in location US");
        }

        return Run(match, table, project, caller);
    }

    private EmulatorResponse Run(Match match, BigQueryDatasetBuilder.Table table, string project, GoogleToken caller)
    {
        string columnsText = match.Groups["columns"].Value.Trim();
        string[] columns = columnsText == "*" ? table.Columns : [.. columnsText.Split(',', StringSplitOptions.TrimEntries)];
        int[] indexes = [.. columns.Select(c => Array.FindIndex(table.Columns, t => t.Equals(c, StringComparison.OrdinalIgnoreCase)))];
        int missing = Array.IndexOf(indexes, -1);
        if (missing >= 0)
        {
            return Error(HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "invalidQuery", $"Unrecognized name: {columns[missing]}");
        }

        IEnumerable<object?[]> rows = table.Rows;
        if (match.Groups["where"].Success)
        {
            int column = Array.FindIndex(table.Columns, t => t.Equals(match.Groups["where"].Value, StringComparison.OrdinalIgnoreCase));
            if (column < 0)
            {
                return Error(HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "invalidQuery", $"Unrecognized name: {match.Groups["where"].Value}");
            }

            string expected = match.Groups["value"].Value.Trim('\'');
            rows = rows.Where(r => Format(r[column]) == expected);
        }

        if (match.Groups["order"].Success)
        {
            int column = Array.FindIndex(table.Columns, t => t.Equals(match.Groups["order"].Value, StringComparison.OrdinalIgnoreCase));
            if (column < 0)
            {
                return Error(HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "invalidQuery", $"Unrecognized name: {match.Groups["order"].Value}");
            }

            bool descending = match.Groups["direction"].Value.Equals("DESC", StringComparison.OrdinalIgnoreCase);
            rows = descending ? rows.OrderByDescending(r => r[column], ValueComparer.Instance) : rows.OrderBy(r => r[column], ValueComparer.Instance);
        }

        if (match.Groups["limit"].Success)
        {
            rows = rows.Take(int.Parse(match.Groups["limit"].Value, CultureInfo.InvariantCulture));
        }

        object?[][] selected = [.. rows];
        var fields = new JsonArray();
        foreach (int i in indexes)
        {
            fields.Add((JsonNode)new JsonObject { ["name"] = table.Columns[i], ["type"] = table.Types[i], ["mode"] = "NULLABLE" });
        }

        var jsonRows = new JsonArray();
        foreach (object?[] row in selected)
        {
            var cells = new JsonArray();
            foreach (int i in indexes)
            {
                cells.Add((JsonNode)new JsonObject { ["v"] = row[i] is null ? null : Format(row[i]) });
            }

            jsonRows.Add((JsonNode)new JsonObject { ["f"] = cells });
        }

        string jobId = "job_" + Guid.NewGuid().ToString("N")[..20];
        var result = new JsonObject
        {
            ["kind"] = "bigquery#queryResponse",
            ["schema"] = new JsonObject { ["fields"] = fields },
            ["jobReference"] = new JsonObject { ["projectId"] = project, ["jobId"] = jobId, ["location"] = "US" },
            ["totalRows"] = selected.Length.ToString(CultureInfo.InvariantCulture),
            ["rows"] = jsonRows,
            ["totalBytesProcessed"] = "0",
            ["jobComplete"] = true,
            ["cacheHit"] = false,
        };
        _jobs[jobId] = ((JsonObject)result.DeepClone(), caller.DisplayName);
        return EmulatorResponse.Json(result);
    }

    /// <summary>BigQuery's REST rows carry every value as a string; timestamps as epoch seconds.</summary>
    private static string? Format(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        DateTimeOffset t => (t.ToUnixTimeMilliseconds() / 1000.0).ToString("0.0##############E0", CultureInfo.InvariantCulture),
        DateTime t => (new DateTimeOffset(t.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0).ToString("0.0##############E0", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static JsonObject SetKind(JsonObject result, string kind)
    {
        result["kind"] = kind;
        return result;
    }

    private static EmulatorResponse Error(HttpStatusCode status, string grpc, string reason, string message) =>
        GoogleErrors.Api(status, grpc, message, legacyErrors: true, legacyReason: reason);

    [GeneratedRegex(@"^\s*SELECT\s+(?<columns>\*|[\w\s,]+?)\s+FROM\s+`?(?<table>[\w.-]+)`?(?:\s+WHERE\s+(?<where>\w+)\s*=\s*(?<value>'[^']*'|[\w.-]+))?(?:\s+ORDER\s+BY\s+(?<order>\w+)(?:\s+(?<direction>ASC|DESC))?)?(?:\s+LIMIT\s+(?<limit>\d+))?\s*;?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex QueryPattern();

    private sealed class ValueComparer : IComparer<object?>
    {
        public static readonly ValueComparer Instance = new();

        public int Compare(object? x, object? y) => (x, y) switch
        {
            (null, null) => 0,
            (null, _) => -1,
            (_, null) => 1,
            (IComparable a, _) when x.GetType() == y.GetType() => a.CompareTo(y),
            _ => string.CompareOrdinal(Format(x), Format(y)),
        };
    }
}
